-- CreateIndex
CREATE INDEX "flags_workspace_id_updated_at_idx" ON "flags"("workspace_id", "updated_at");

-- CreateIndex
CREATE INDEX "tenant_overrides_flag_id_environment_id_expires_at_workspac_idx" ON "tenant_overrides"("flag_id", "environment_id", "expires_at", "workspace_id");

-- CreateIndex
CREATE INDEX "user_overrides_flag_id_environment_id_expires_at_workspace__idx" ON "user_overrides"("flag_id", "environment_id", "expires_at", "workspace_id");

