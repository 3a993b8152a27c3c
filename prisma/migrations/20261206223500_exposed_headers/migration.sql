-- AlterTable
ALTER TABLE "environments" ADD COLUMN     "exposed_headers" TEXT[] DEFAULT ARRAY[]::TEXT[];
