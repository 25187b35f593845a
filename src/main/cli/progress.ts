import { MultiBar, Presets } from 'cli-progress';

export interface Progress {
  /** Counts `n` more items done. */
  tick(n?: number): void;
  /** Prints a line above the bar (or as it is, without a terminal). */
  log(line: string): void;
  stop(): void;
}

/**
 * Progress of a CLI run over `total` items: a bar (cli-progress) on a terminal; without one (a pipe, a log
 * file, CI) a plain line every `every` items and at the end, so logs stay readable.
 */
export function progress(label: string, total: number, opts: { stream?: NodeJS.WriteStream; every?: number } = {}): Progress {
  const stream = opts.stream ?? process.stderr;
  let done = 0;
  if (stream.isTTY) {
    const bars = new MultiBar({ stream, format: `${label} [{bar}] {value}/{total} {percentage}% · {eta_formatted} left`, hideCursor: true, clearOnComplete: false }, Presets.shades_classic);
    const bar = bars.create(total, 0);
    return {
      tick: (n = 1) => bar.increment(n),
      log: (line) => bars.log(`${line}\n`),
      stop: () => bars.stop(),
    };
  }
  const every = opts.every ?? Math.max(1, Math.ceil(total / 10));
  let shown = 0;
  return {
    tick(n = 1) {
      done += n;
      if (done - shown >= every || done === total) {
        shown = done;
        stream.write(`${label}: ${done}/${total}\n`);
      }
    },
    log: (line) => void process.stdout.write(`${line}\n`),
    stop() {},
  };
}
