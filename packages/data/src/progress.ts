/**
 * A dependency-free progress bar for loading large sets. On a TTY it redraws one line in place
 * (at most ~10 times a second); elsewhere (CI logs, pipes) it stays silent unless forced.
 */

/** Receives loading progress. */
export interface ProgressReporter {
  /** `done` of `total` items finished. */
  update(done: number): void;
  /** Ends the bar (prints the final state and a newline). */
  finish(): void;
}

/** Options of {@link createProgressBar}. */
export interface ProgressBarOptions {
  /** Output stream (default `process.stderr`). */
  stream?: NodeJS.WriteStream;
  /** `'auto'` (default): draw only when the stream is a TTY. `true`: always (one line per 10%
   * when not a TTY). `false`: never. */
  enabled?: boolean | 'auto';
  /** Bar width in characters (default 30). */
  width?: number;
}

const SILENT: ProgressReporter = { update() {}, finish() {} };

/**
 * Creates a progress bar such as `dsb2018 [#########.........] 17/56 12.3/s eta 3s`.
 */
export function createProgressBar(
  label: string,
  total: number,
  options: ProgressBarOptions = {},
): ProgressReporter {
  const stream = options.stream ?? process.stderr;
  const enabled = options.enabled ?? 'auto';
  const isTty = Boolean(stream.isTTY);
  if (enabled === false || (enabled === 'auto' && !isTty) || total <= 0) return SILENT;
  const barWidth = options.width ?? 30;
  const started = Date.now();
  let lastDraw = 0;
  let lastDecile = -1;
  let current = 0;
  let finished = false;

  const render = (): string => {
    const fraction = Math.min(1, current / total);
    const filled = Math.round(fraction * barWidth);
    const seconds = (Date.now() - started) / 1000;
    const rate = seconds > 0 ? current / seconds : 0;
    const eta = rate > 0 ? Math.ceil((total - current) / rate) : 0;
    const bar = `${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}`;
    return `${label} [${bar}] ${current}/${total} ${rate.toFixed(1)}/s eta ${eta}s`;
  };

  return {
    update(done: number) {
      if (finished) return;
      current = done;
      if (isTty) {
        const now = Date.now();
        if (now - lastDraw < 100 && done < total) return;
        lastDraw = now;
        stream.write(`\r${render()}\x1b[K`);
      } else {
        const decile = Math.floor((done / total) * 10);
        if (decile === lastDecile) return;
        lastDecile = decile;
        stream.write(`${render()}\n`);
      }
    },
    finish() {
      if (finished) return;
      if (isTty) stream.write(`\r${render()}\x1b[K\n`);
      else if (lastDecile < 10) stream.write(`${render()}\n`);
      finished = true;
    },
  };
}
