-- CreateTable
CREATE TABLE "end_user_roles" (
    "id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "tenant_id" UUID,
    "key" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "inherits" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "inherited_by" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "end_user_roles_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "end_user_roles_workspace_id_tenant_id_idx" ON "end_user_roles"("workspace_id", "tenant_id");

-- AddForeignKey
ALTER TABLE "end_user_roles" ADD CONSTRAINT "end_user_roles_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "end_user_roles" ADD CONSTRAINT "end_user_roles_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Keys are unique among a workspace's own roles, and within each tenant's.
CREATE UNIQUE INDEX "end_user_roles_workspace_key" ON "end_user_roles"("workspace_id", "key") WHERE "tenant_id" IS NULL;
CREATE UNIQUE INDEX "end_user_roles_tenant_key" ON "end_user_roles"("workspace_id", "tenant_id", "key") WHERE "tenant_id" IS NOT NULL;

GRANT SELECT, INSERT, UPDATE, DELETE ON "end_user_roles" TO ensign_app;
ALTER TABLE "end_user_roles" ENABLE ROW LEVEL SECURITY;
CREATE POLICY workspace_isolation ON "end_user_roles"
  USING (workspace_id = ensign_current_workspace())
  WITH CHECK (workspace_id = ensign_current_workspace());

-- Every workspace starts with the hierarchy employee < manager < admin: the existing ones now,
-- new ones as they are created (whichever path creates them: the API, the demo seed, an import).
CREATE FUNCTION ensign_default_end_user_roles(p_workspace uuid) RETURNS void
  LANGUAGE sql SECURITY DEFINER SET search_path = public
  AS $$
  INSERT INTO end_user_roles (id, workspace_id, key, name, inherits, updated_at)
  VALUES (gen_random_uuid(), p_workspace, 'employee', 'Employee', ARRAY[]::text[], now()),
         (gen_random_uuid(), p_workspace, 'manager', 'Manager', ARRAY['employee'], now()),
         (gen_random_uuid(), p_workspace, 'admin', 'Admin', ARRAY['manager'], now())
  ON CONFLICT DO NOTHING;
$$;
REVOKE ALL ON FUNCTION ensign_default_end_user_roles(uuid) FROM PUBLIC;

SELECT ensign_default_end_user_roles(id) FROM workspaces;

CREATE FUNCTION end_user_roles_for_new_workspace() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public
  AS $$
BEGIN
  PERFORM ensign_default_end_user_roles(NEW.id);
  RETURN NULL;
END
$$;

CREATE TRIGGER workspaces_default_end_user_roles
  AFTER INSERT ON "workspaces"
  FOR EACH ROW EXECUTE FUNCTION end_user_roles_for_new_workspace();
