-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "Role" AS ENUM ('owner', 'admin', 'editor', 'viewer', 'tenant_admin');

-- CreateEnum
CREATE TYPE "FlagType" AS ENUM ('boolean', 'string', 'number', 'json');

-- CreateEnum
CREATE TYPE "FlagLifecycle" AS ENUM ('temporary', 'permanent');

-- CreateEnum
CREATE TYPE "OverrideSource" AS ENUM ('workspace_admin', 'tenant_admin');

-- CreateEnum
CREATE TYPE "ApiKeyKind" AS ENUM ('server', 'client');

-- CreateEnum
CREATE TYPE "ScheduleStatus" AS ENUM ('pending', 'applied', 'failed', 'cancelled');

-- CreateEnum
CREATE TYPE "ActorType" AS ENUM ('user', 'api_key', 'system');

-- CreateTable
CREATE TABLE "workspaces" (
    "id" UUID NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "archived_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "workspaces_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "environments" (
    "id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "color" TEXT,
    "sort_order" INTEGER NOT NULL DEFAULT 0,
    "context_secret" TEXT NOT NULL,
    "context_issuer" TEXT,
    "context_jwks_url" TEXT,
    "snapshot_version" INTEGER NOT NULL DEFAULT 1,
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "environments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "users" (
    "id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "password_hash" TEXT NOT NULL,
    "is_superadmin" BOOLEAN NOT NULL DEFAULT false,
    "disabled_at" TIMESTAMPTZ(3),
    "last_login_at" TIMESTAMPTZ(3),
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sessions" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "refresh_token_hash" TEXT NOT NULL,
    "previous_token_hash" TEXT,
    "ip" TEXT,
    "user_agent" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "sessions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "memberships" (
    "id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "role" "Role" NOT NULL,
    "tenant_id" UUID,
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "memberships_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "modules" (
    "id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "modules_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "flags" (
    "id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "module_id" UUID,
    "type" "FlagType" NOT NULL,
    "variants" JSONB NOT NULL,
    "off_variant" TEXT NOT NULL,
    "on_variant" TEXT NOT NULL,
    "salt" TEXT NOT NULL,
    "tags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "is_beta" BOOLEAN NOT NULL DEFAULT false,
    "depends_on" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "lifecycle" "FlagLifecycle" NOT NULL DEFAULT 'temporary',
    "owner" TEXT,
    "deprecated_at" TIMESTAMPTZ(3),
    "archived_at" TIMESTAMPTZ(3),
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "flags_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "flag_states" (
    "id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "flag_id" UUID NOT NULL,
    "environment_id" UUID NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT false,
    "fallthrough" JSONB NOT NULL,
    "tenant_allow" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "tenant_deny" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "flag_states_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "flag_rules" (
    "id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "flag_state_id" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "name" TEXT,
    "conditions" JSONB NOT NULL,
    "serve" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "flag_rules_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "segments" (
    "id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "included_users" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "excluded_users" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "included_tenants" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "excluded_tenants" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "rules" JSONB NOT NULL DEFAULT '[]',
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "segments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "tenants" (
    "id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "attributes" JSONB NOT NULL DEFAULT '{}',
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "tenants_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "tenant_modules" (
    "id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "module_id" UUID NOT NULL,
    "enabled" BOOLEAN NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "tenant_modules_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "tenant_overrides" (
    "id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "flag_id" UUID NOT NULL,
    "environment_id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "variant" TEXT NOT NULL,
    "source" "OverrideSource" NOT NULL,
    "locked" BOOLEAN NOT NULL DEFAULT false,
    "expires_at" TIMESTAMPTZ(3),
    "updated_by" TEXT,
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "tenant_overrides_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "user_overrides" (
    "id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "flag_id" UUID NOT NULL,
    "environment_id" UUID NOT NULL,
    "user_key" TEXT NOT NULL,
    "variant" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3),
    "updated_by" TEXT,
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "user_overrides_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "identities" (
    "id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "environment_id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "traits" JSONB NOT NULL DEFAULT '{}',
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "identities_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "schedules" (
    "id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "flag_id" UUID NOT NULL,
    "environment_id" UUID NOT NULL,
    "run_at" TIMESTAMPTZ(3) NOT NULL,
    "action" JSONB NOT NULL,
    "ramp_id" UUID,
    "status" "ScheduleStatus" NOT NULL DEFAULT 'pending',
    "applied_at" TIMESTAMPTZ(3),
    "error" TEXT,
    "created_by" TEXT,
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "schedules_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_keys" (
    "id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "environment_id" UUID NOT NULL,
    "kind" "ApiKeyKind" NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "secret_hash" TEXT NOT NULL,
    "created_by" TEXT,
    "last_used_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_entries" (
    "id" BIGSERIAL NOT NULL,
    "workspace_id" UUID NOT NULL,
    "environment_id" UUID,
    "environment_key" TEXT,
    "tenant_id" UUID,
    "tenant_key" TEXT,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor_type" "ActorType" NOT NULL,
    "actor_id" TEXT,
    "actor_email" TEXT,
    "actor_role" TEXT,
    "ip" TEXT,
    "user_agent" TEXT,
    "request_id" TEXT,
    "action" TEXT NOT NULL,
    "target_type" TEXT NOT NULL,
    "target_id" TEXT,
    "target_key" TEXT,
    "before" JSONB,
    "after" JSONB,

    CONSTRAINT "audit_entries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "flag_stat_buckets" (
    "id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "environment_id" UUID NOT NULL,
    "flag_key" TEXT NOT NULL,
    "bucket_start" TIMESTAMPTZ(3) NOT NULL,
    "evaluations" BIGINT NOT NULL DEFAULT 0,
    "variant_counts" JSONB NOT NULL DEFAULT '{}',
    "true_count" BIGINT NOT NULL DEFAULT 0,
    "error_count" BIGINT NOT NULL DEFAULT 0,
    "unique_users" INTEGER NOT NULL DEFAULT 0,
    "unique_sketch" BYTEA,
    "latency_count" BIGINT NOT NULL DEFAULT 0,
    "latency_sum_micros" BIGINT NOT NULL DEFAULT 0,
    "latency_histogram" JSONB NOT NULL DEFAULT '{}',
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "flag_stat_buckets_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "workspaces_slug_key" ON "workspaces"("slug");

-- CreateIndex
CREATE UNIQUE INDEX "environments_workspace_id_key_key" ON "environments"("workspace_id", "key");

-- CreateIndex
CREATE UNIQUE INDEX "users_email_key" ON "users"("email");

-- CreateIndex
CREATE UNIQUE INDEX "sessions_refresh_token_hash_key" ON "sessions"("refresh_token_hash");

-- CreateIndex
CREATE UNIQUE INDEX "sessions_previous_token_hash_key" ON "sessions"("previous_token_hash");

-- CreateIndex
CREATE INDEX "sessions_user_id_idx" ON "sessions"("user_id");

-- CreateIndex
CREATE INDEX "memberships_user_id_idx" ON "memberships"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "memberships_workspace_id_user_id_key" ON "memberships"("workspace_id", "user_id");

-- CreateIndex
CREATE UNIQUE INDEX "modules_workspace_id_key_key" ON "modules"("workspace_id", "key");

-- CreateIndex
CREATE INDEX "flags_workspace_id_module_id_idx" ON "flags"("workspace_id", "module_id");

-- CreateIndex
CREATE INDEX "flags_workspace_id_type_idx" ON "flags"("workspace_id", "type");

-- CreateIndex
CREATE INDEX "flags_workspace_id_created_at_idx" ON "flags"("workspace_id", "created_at");

-- CreateIndex
CREATE INDEX "flags_workspace_id_name_idx" ON "flags"("workspace_id", "name");

-- CreateIndex
CREATE INDEX "flags_tags_idx" ON "flags" USING GIN ("tags");

-- CreateIndex
CREATE UNIQUE INDEX "flags_workspace_id_key_key" ON "flags"("workspace_id", "key");

-- CreateIndex
CREATE INDEX "flag_states_workspace_id_environment_id_enabled_idx" ON "flag_states"("workspace_id", "environment_id", "enabled");

-- CreateIndex
CREATE UNIQUE INDEX "flag_states_flag_id_environment_id_key" ON "flag_states"("flag_id", "environment_id");

-- CreateIndex
CREATE INDEX "flag_rules_flag_state_id_position_idx" ON "flag_rules"("flag_state_id", "position");

-- CreateIndex
CREATE UNIQUE INDEX "segments_workspace_id_key_key" ON "segments"("workspace_id", "key");

-- CreateIndex
CREATE INDEX "tenants_workspace_id_name_idx" ON "tenants"("workspace_id", "name");

-- CreateIndex
CREATE UNIQUE INDEX "tenants_workspace_id_key_key" ON "tenants"("workspace_id", "key");

-- CreateIndex
CREATE INDEX "tenant_modules_workspace_id_module_id_enabled_idx" ON "tenant_modules"("workspace_id", "module_id", "enabled");

-- CreateIndex
CREATE UNIQUE INDEX "tenant_modules_tenant_id_module_id_key" ON "tenant_modules"("tenant_id", "module_id");

-- CreateIndex
CREATE INDEX "tenant_overrides_workspace_id_environment_id_tenant_id_idx" ON "tenant_overrides"("workspace_id", "environment_id", "tenant_id");

-- CreateIndex
CREATE INDEX "tenant_overrides_environment_id_flag_id_variant_idx" ON "tenant_overrides"("environment_id", "flag_id", "variant");

-- CreateIndex
CREATE INDEX "tenant_overrides_expires_at_idx" ON "tenant_overrides"("expires_at");

-- CreateIndex
CREATE UNIQUE INDEX "tenant_overrides_flag_id_environment_id_tenant_id_key" ON "tenant_overrides"("flag_id", "environment_id", "tenant_id");

-- CreateIndex
CREATE INDEX "user_overrides_workspace_id_environment_id_user_key_idx" ON "user_overrides"("workspace_id", "environment_id", "user_key");

-- CreateIndex
CREATE INDEX "user_overrides_expires_at_idx" ON "user_overrides"("expires_at");

-- CreateIndex
CREATE UNIQUE INDEX "user_overrides_flag_id_environment_id_user_key_key" ON "user_overrides"("flag_id", "environment_id", "user_key");

-- CreateIndex
CREATE INDEX "identities_workspace_id_environment_id_updated_at_idx" ON "identities"("workspace_id", "environment_id", "updated_at");

-- CreateIndex
CREATE UNIQUE INDEX "identities_environment_id_key_key" ON "identities"("environment_id", "key");

-- CreateIndex
CREATE INDEX "schedules_status_run_at_idx" ON "schedules"("status", "run_at");

-- CreateIndex
CREATE INDEX "schedules_workspace_id_flag_id_environment_id_idx" ON "schedules"("workspace_id", "flag_id", "environment_id");

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_secret_hash_key" ON "api_keys"("secret_hash");

-- CreateIndex
CREATE INDEX "api_keys_workspace_id_environment_id_idx" ON "api_keys"("workspace_id", "environment_id");

-- CreateIndex
CREATE INDEX "audit_entries_workspace_id_at_id_idx" ON "audit_entries"("workspace_id", "at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "audit_entries_workspace_id_target_type_target_key_at_idx" ON "audit_entries"("workspace_id", "target_type", "target_key", "at" DESC);

-- CreateIndex
CREATE INDEX "audit_entries_workspace_id_tenant_key_at_idx" ON "audit_entries"("workspace_id", "tenant_key", "at" DESC);

-- CreateIndex
CREATE INDEX "audit_entries_workspace_id_actor_id_at_idx" ON "audit_entries"("workspace_id", "actor_id", "at" DESC);

-- CreateIndex
CREATE INDEX "audit_entries_workspace_id_action_at_idx" ON "audit_entries"("workspace_id", "action", "at" DESC);

-- CreateIndex
CREATE INDEX "flag_stat_buckets_workspace_id_flag_key_bucket_start_idx" ON "flag_stat_buckets"("workspace_id", "flag_key", "bucket_start");

-- CreateIndex
CREATE UNIQUE INDEX "flag_stat_buckets_environment_id_flag_key_bucket_start_key" ON "flag_stat_buckets"("environment_id", "flag_key", "bucket_start");

-- AddForeignKey
ALTER TABLE "environments" ADD CONSTRAINT "environments_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "modules" ADD CONSTRAINT "modules_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "flags" ADD CONSTRAINT "flags_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "flags" ADD CONSTRAINT "flags_module_id_fkey" FOREIGN KEY ("module_id") REFERENCES "modules"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "flag_states" ADD CONSTRAINT "flag_states_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "flag_states" ADD CONSTRAINT "flag_states_flag_id_fkey" FOREIGN KEY ("flag_id") REFERENCES "flags"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "flag_states" ADD CONSTRAINT "flag_states_environment_id_fkey" FOREIGN KEY ("environment_id") REFERENCES "environments"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "flag_rules" ADD CONSTRAINT "flag_rules_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "flag_rules" ADD CONSTRAINT "flag_rules_flag_state_id_fkey" FOREIGN KEY ("flag_state_id") REFERENCES "flag_states"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "segments" ADD CONSTRAINT "segments_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tenants" ADD CONSTRAINT "tenants_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tenant_modules" ADD CONSTRAINT "tenant_modules_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tenant_modules" ADD CONSTRAINT "tenant_modules_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tenant_modules" ADD CONSTRAINT "tenant_modules_module_id_fkey" FOREIGN KEY ("module_id") REFERENCES "modules"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tenant_overrides" ADD CONSTRAINT "tenant_overrides_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tenant_overrides" ADD CONSTRAINT "tenant_overrides_flag_id_fkey" FOREIGN KEY ("flag_id") REFERENCES "flags"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tenant_overrides" ADD CONSTRAINT "tenant_overrides_environment_id_fkey" FOREIGN KEY ("environment_id") REFERENCES "environments"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tenant_overrides" ADD CONSTRAINT "tenant_overrides_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "user_overrides" ADD CONSTRAINT "user_overrides_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "user_overrides" ADD CONSTRAINT "user_overrides_flag_id_fkey" FOREIGN KEY ("flag_id") REFERENCES "flags"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "user_overrides" ADD CONSTRAINT "user_overrides_environment_id_fkey" FOREIGN KEY ("environment_id") REFERENCES "environments"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "identities" ADD CONSTRAINT "identities_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "identities" ADD CONSTRAINT "identities_environment_id_fkey" FOREIGN KEY ("environment_id") REFERENCES "environments"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "schedules" ADD CONSTRAINT "schedules_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "schedules" ADD CONSTRAINT "schedules_flag_id_fkey" FOREIGN KEY ("flag_id") REFERENCES "flags"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "schedules" ADD CONSTRAINT "schedules_environment_id_fkey" FOREIGN KEY ("environment_id") REFERENCES "environments"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_environment_id_fkey" FOREIGN KEY ("environment_id") REFERENCES "environments"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "audit_entries" ADD CONSTRAINT "audit_entries_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "flag_stat_buckets" ADD CONSTRAINT "flag_stat_buckets_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "flag_stat_buckets" ADD CONSTRAINT "flag_stat_buckets_environment_id_fkey" FOREIGN KEY ("environment_id") REFERENCES "environments"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- ---------------------------------------------------------------------------------------------
-- Written by hand: what Prisma's schema language cannot express.
-- ---------------------------------------------------------------------------------------------

-- The role the API takes (SET LOCAL ROLE) for every workspace-scoped transaction. Row-level
-- security never applies to superusers or (without FORCE) to a table's owner, so the policies
-- below bind only through this role; system work (migrations, snapshot builds, schedules) runs
-- as the owner.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ensign_app') THEN
    CREATE ROLE ensign_app NOLOGIN;
  END IF;
END
$$;
DO $$
BEGIN
  IF NOT pg_has_role(current_user, 'ensign_app', 'MEMBER') THEN
    EXECUTE format('GRANT ensign_app TO %I', current_user);
  END IF;
END
$$;

GRANT USAGE ON SCHEMA public TO ensign_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ensign_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ensign_app;
REVOKE UPDATE, DELETE, TRUNCATE ON "audit_entries" FROM ensign_app;
REVOKE ALL ON "_prisma_migrations" FROM ensign_app;

-- Row-level security, keyed by the per-transaction setting app.workspace_id. Without the
-- setting the comparison is NULL and no row is visible or writable.
CREATE FUNCTION ensign_current_workspace() RETURNS uuid
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT NULLIF(current_setting('app.workspace_id', true), '')::uuid $$;

ALTER TABLE "workspaces" ENABLE ROW LEVEL SECURITY;
CREATE POLICY workspace_isolation ON "workspaces"
  USING ("id" = ensign_current_workspace())
  WITH CHECK ("id" = ensign_current_workspace());

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY[
    'environments', 'memberships', 'modules', 'flags', 'flag_states', 'flag_rules', 'segments',
    'tenants', 'tenant_modules', 'tenant_overrides', 'user_overrides', 'identities', 'schedules',
    'api_keys', 'audit_entries', 'flag_stat_buckets'
  ] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format(
      'CREATE POLICY workspace_isolation ON %I USING (workspace_id = ensign_current_workspace()) '
      'WITH CHECK (workspace_id = ensign_current_workspace())', t);
  END LOOP;
END
$$;

-- The audit log is append-only, for everyone, the owner included.
CREATE FUNCTION audit_entries_append_only() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
BEGIN
  RAISE EXCEPTION 'audit_entries is append-only: % is not allowed', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER audit_entries_no_update_or_delete
  BEFORE UPDATE OR DELETE ON "audit_entries"
  FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only();

CREATE TRIGGER audit_entries_no_truncate
  BEFORE TRUNCATE ON "audit_entries"
  FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_append_only();
