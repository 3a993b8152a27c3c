-- New environments require signed context tokens of client keys. Existing environments keep
-- their setting: switching it on for them would cut off portals that do not send tokens yet.
ALTER TABLE "environments" ALTER COLUMN "require_context_token" SET DEFAULT true;
