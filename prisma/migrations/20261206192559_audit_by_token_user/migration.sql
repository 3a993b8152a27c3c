-- CreateIndex
CREATE INDEX "audit_entries_workspace_id_actor_user_id_at_idx" ON "audit_entries"("workspace_id", "actor_user_id", "at" DESC);

