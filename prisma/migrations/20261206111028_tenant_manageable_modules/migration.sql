-- AlterTable
ALTER TABLE "modules" ADD COLUMN     "tenant_manageable" BOOLEAN NOT NULL DEFAULT false;

