-- AlterTable
ALTER TABLE "modules" ADD COLUMN     "key_prefix" TEXT;

-- AlterTable
ALTER TABLE "flags" ADD COLUMN     "feedback_url" TEXT,
ADD COLUMN     "tenant_manageable" BOOLEAN NOT NULL DEFAULT false;


-- Flags that existed before this migration were all switchable by tenant admins: they stay so.
-- New flags are not, until an admin says they are.
UPDATE "flags" SET "tenant_manageable" = true;
