-- AlterTable
ALTER TABLE "workspaces" ADD COLUMN     "override_order" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- CreateTable
CREATE TABLE "override_layers" (
    "id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "attribute" TEXT NOT NULL,
    "known_values" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "override_layers_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "layer_overrides" (
    "id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "flag_id" UUID NOT NULL,
    "environment_id" UUID NOT NULL,
    "layer_id" UUID NOT NULL,
    "value" TEXT NOT NULL,
    "variant" TEXT NOT NULL,
    "locked" BOOLEAN NOT NULL DEFAULT false,
    "expires_at" TIMESTAMPTZ(3),
    "updated_by" TEXT,
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "layer_overrides_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "override_layers_workspace_id_key_key" ON "override_layers"("workspace_id", "key");

-- CreateIndex
CREATE INDEX "layer_overrides_workspace_id_environment_id_idx" ON "layer_overrides"("workspace_id", "environment_id");

-- CreateIndex
CREATE INDEX "layer_overrides_layer_id_value_idx" ON "layer_overrides"("layer_id", "value");

-- CreateIndex
CREATE INDEX "layer_overrides_expires_at_idx" ON "layer_overrides"("expires_at");

-- CreateIndex
CREATE UNIQUE INDEX "layer_overrides_flag_id_environment_id_layer_id_value_key" ON "layer_overrides"("flag_id", "environment_id", "layer_id", "value");

-- AddForeignKey
ALTER TABLE "override_layers" ADD CONSTRAINT "override_layers_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "layer_overrides" ADD CONSTRAINT "layer_overrides_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "layer_overrides" ADD CONSTRAINT "layer_overrides_flag_id_fkey" FOREIGN KEY ("flag_id") REFERENCES "flags"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "layer_overrides" ADD CONSTRAINT "layer_overrides_environment_id_fkey" FOREIGN KEY ("environment_id") REFERENCES "environments"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "layer_overrides" ADD CONSTRAINT "layer_overrides_layer_id_fkey" FOREIGN KEY ("layer_id") REFERENCES "override_layers"("id") ON DELETE CASCADE ON UPDATE CASCADE;



-- The app role reads and writes both tables; row-level security confines it to one workspace,
-- as for every workspace-owned table.
GRANT SELECT, INSERT, UPDATE, DELETE ON "override_layers", "layer_overrides" TO ensign_app;

ALTER TABLE "override_layers" ENABLE ROW LEVEL SECURITY;
CREATE POLICY workspace_isolation ON "override_layers"
  USING (workspace_id = ensign_current_workspace())
  WITH CHECK (workspace_id = ensign_current_workspace());

ALTER TABLE "layer_overrides" ENABLE ROW LEVEL SECURITY;
CREATE POLICY workspace_isolation ON "layer_overrides"
  USING (workspace_id = ensign_current_workspace())
  WITH CHECK (workspace_id = ensign_current_workspace());
