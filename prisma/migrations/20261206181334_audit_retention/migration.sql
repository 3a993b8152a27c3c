-- AlterTable
ALTER TABLE "workspaces" ADD COLUMN     "audit_retention_days" INTEGER;

-- CreateTable
CREATE TABLE "audit_exports" (
    "id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "from_at" TIMESTAMPTZ(3) NOT NULL,
    "to_at" TIMESTAMPTZ(3) NOT NULL,
    "first_id" BIGINT NOT NULL,
    "last_id" BIGINT NOT NULL,
    "entry_count" INTEGER NOT NULL,
    "bytes" INTEGER NOT NULL,
    "content" BYTEA NOT NULL,

    CONSTRAINT "audit_exports_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "audit_exports_workspace_id_created_at_idx" ON "audit_exports"("workspace_id", "created_at" DESC);

-- AddForeignKey
ALTER TABLE "audit_exports" ADD CONSTRAINT "audit_exports_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE RESTRICT ON UPDATE CASCADE;


-- The app role reads and adds exports; nobody changes or removes one through it.
GRANT SELECT, INSERT ON "audit_exports" TO ensign_app;
ALTER TABLE "audit_exports" ENABLE ROW LEVEL SECURITY;
CREATE POLICY workspace_isolation ON "audit_exports"
  USING (workspace_id = ensign_current_workspace())
  WITH CHECK (workspace_id = ensign_current_workspace());

ALTER TABLE "workspaces" ADD CONSTRAINT "workspaces_audit_retention_days_check"
  CHECK ("audit_retention_days" IS NULL OR "audit_retention_days" BETWEEN 1 AND 36500);

-- The one way audit entries are ever removed: the entries of one workspace older than its
-- retention period, up to an entry id (the last one the caller exported). The function runs
-- with its owner's rights and checks the period itself, so the app role can purge nothing
-- that is not expired; the append-only trigger lets a DELETE through only from inside it.
CREATE FUNCTION ensign_purge_expired_audit(p_workspace uuid, p_through_id bigint) RETURNS integer
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public
  AS $$
DECLARE
  retention integer;
  purged integer;
BEGIN
  SELECT audit_retention_days INTO retention FROM workspaces WHERE id = p_workspace;
  IF retention IS NULL THEN
    RAISE EXCEPTION 'workspace % keeps its audit log forever', p_workspace USING ERRCODE = 'insufficient_privilege';
  END IF;
  DELETE FROM audit_entries
   WHERE workspace_id = p_workspace
     AND at < now() - make_interval(days => retention)
     AND id <= p_through_id;
  GET DIAGNOSTICS purged = ROW_COUNT;
  RETURN purged;
END
$$;
REVOKE ALL ON FUNCTION ensign_purge_expired_audit(uuid, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ensign_purge_expired_audit(uuid, bigint) TO ensign_app;

CREATE OR REPLACE FUNCTION audit_entries_append_only() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
DECLARE
  caller text;
BEGIN
  IF TG_OP = 'DELETE' THEN
    GET DIAGNOSTICS caller = PG_CONTEXT;
    IF caller LIKE '%PL/pgSQL function ensign_purge_expired_audit(uuid,bigint)%' THEN
      RETURN OLD;
    END IF;
  END IF;
  RAISE EXCEPTION 'audit_entries is append-only: % is not allowed', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$;
