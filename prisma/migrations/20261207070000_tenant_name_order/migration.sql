-- The tenants list sorts by name, then key (its default order); with key in the index the list,
-- and the flag filter that reads every tenant in that order, scan the index instead of sorting.
DROP INDEX "tenants_workspace_id_name_idx";

-- CreateIndex
CREATE INDEX "tenants_workspace_id_name_key_idx" ON "tenants"("workspace_id", "name", "key");
