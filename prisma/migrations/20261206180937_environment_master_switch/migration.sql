-- AlterTable
ALTER TABLE "environments" ADD COLUMN     "master_switch_changed_at" TIMESTAMPTZ(3),
ADD COLUMN     "master_switch_changed_by" TEXT,
ADD COLUMN     "master_switch_on" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "master_switch_reason" TEXT;

