import { UserOverridesPage } from "../../features/overrides/components/user-overrides-page";
import { RequireCapability } from "./guard";

export const UserOverridesRoute = () => <RequireCapability capability="workspace:read"><UserOverridesPage /></RequireCapability>;
