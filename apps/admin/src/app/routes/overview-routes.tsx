import { OverviewPage } from "../../features/overview/components/overview-page";
import { RequireCapability } from "./guard";

export const OverviewRoute = () => <RequireCapability capability="workspace:read"><OverviewPage /></RequireCapability>;
