-- AlterTable
ALTER TABLE "environments" ADD COLUMN     "is_production" BOOLEAN NOT NULL DEFAULT false;


-- Existing environments named production are live: they ask for confirmation from now on.
UPDATE "environments" SET "is_production" = true WHERE "key" = 'production';
