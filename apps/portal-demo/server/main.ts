import { buildPortalServer } from "./app";
import { loadPortalConfig, PortalConfigError } from "./config";

try {
  const config = loadPortalConfig();
  const app = await buildPortalServer(config);
  const address = await app.listen({ port: config.port, host: config.host });
  app.log.info(`Producer portal demo on ${address} (Ensign at ${config.ensignUrl})`);
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void app.close().then(() => process.exit(0)));
} catch (error) {
  if (error instanceof PortalConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
