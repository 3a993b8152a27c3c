-- AlterEnum
-- This migration adds more than one value to an enum.
-- With PostgreSQL versions 11 and earlier, this is not possible
-- in a single migration. This can be worked around by creating
-- multiple migrations, each migration adding only one value to
-- the enum.


ALTER TYPE "ActorType" ADD VALUE 'personal_token';
ALTER TYPE "ActorType" ADD VALUE 'service_token';

-- AlterTable
ALTER TABLE "audit_entries" ADD COLUMN     "actor_name" TEXT,
ADD COLUMN     "actor_user_id" TEXT;

-- CreateTable
CREATE TABLE "personal_tokens" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "secret_hash" TEXT NOT NULL,
    "max_role" "Role",
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "last_used_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "personal_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "service_tokens" (
    "id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "environment_id" UUID,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "secret_hash" TEXT NOT NULL,
    "role" "Role" NOT NULL,
    "created_by" TEXT,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "last_used_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "service_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "personal_tokens_secret_hash_key" ON "personal_tokens"("secret_hash");

-- CreateIndex
CREATE INDEX "personal_tokens_user_id_created_at_idx" ON "personal_tokens"("user_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "service_tokens_secret_hash_key" ON "service_tokens"("secret_hash");

-- CreateIndex
CREATE INDEX "service_tokens_workspace_id_created_at_idx" ON "service_tokens"("workspace_id", "created_at");

-- AddForeignKey
ALTER TABLE "personal_tokens" ADD CONSTRAINT "personal_tokens_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "service_tokens" ADD CONSTRAINT "service_tokens_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "service_tokens" ADD CONSTRAINT "service_tokens_environment_id_fkey" FOREIGN KEY ("environment_id") REFERENCES "environments"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Personal tokens belong to a user, like sessions: platform-level, read before any workspace is in scope.
GRANT SELECT, INSERT, UPDATE ON "personal_tokens" TO ensign_app;

-- Service tokens belong to a workspace. Tokens are revoked, never deleted, so lists keep them.
GRANT SELECT, INSERT, UPDATE ON "service_tokens" TO ensign_app;
ALTER TABLE "service_tokens" ENABLE ROW LEVEL SECURITY;
CREATE POLICY workspace_isolation ON "service_tokens"
  USING (workspace_id = ensign_current_workspace())
  WITH CHECK (workspace_id = ensign_current_workspace());

-- A service token never acts as an owner or a tenant admin.
ALTER TABLE "service_tokens" ADD CONSTRAINT "service_tokens_role_check" CHECK ("role" IN ('admin', 'editor', 'viewer'));
