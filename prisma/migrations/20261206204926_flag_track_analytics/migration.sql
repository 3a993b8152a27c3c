-- AlterTable
ALTER TABLE "flags" ADD COLUMN     "track_analytics" BOOLEAN NOT NULL DEFAULT true;

