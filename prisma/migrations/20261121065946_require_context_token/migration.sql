-- AlterTable
ALTER TABLE "environments" ADD COLUMN     "require_context_token" BOOLEAN NOT NULL DEFAULT false;

