/**
 * The toolkit's one progress bar: `[=====>....]`, counts, rate and ETA, drawn in place on a
 * terminal. `createProgressBar` reports loading; `@unet/train`'s `ProgressBar` callback draws the
 * same bar per training epoch with these helpers. In CI logs and pipes it stays quiet.
 */

const CI_VARIABLES = [
  'CI',
  'CONTINUOUS_INTEGRATION',
  'BUILD_NUMBER',
  'GITHUB_ACTIONS',
  'GITLAB_CI',
  'TF_BUILD',
];

/** True when an environment variable says we run under continuous integration. */
export function isCI(env: NodeJS.ProcessEnv = process.env): boolean {
  return CI_VARIABLES.some((name) => {
    const value = env[name];
    return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
  });
}

/** Seconds as `m:ss` or `h:mm:ss` (`?` when unknown). */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** The bar itself, `width` characters between brackets: `[=======>......]`. */
export function progressBarText(done: number, total: number, width = 24): string {
  const fraction = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
  const filled = Math.round(fraction * width);
  const head = filled > 0 && filled < width ? '>' : filled === width ? '=' : '';
  return `[${'='.repeat(Math.max(0, filled - 1))}${head}${'.'.repeat(width - filled)}]`;
}

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
  /** Bar width in characters (default 24). */
  width?: number;
}

const SILENT: ProgressReporter = { update() {}, finish() {} };

/**
 * Creates a progress bar such as `dsb2018 [========>.......] 17/56  12.3/s  ETA 0:03`.
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
  const barWidth = options.width ?? 24;
  const started = Date.now();
  let lastDraw = 0;
  let lastDecile = -1;
  let current = 0;
  let finished = false;

  const render = (): string => {
    const seconds = (Date.now() - started) / 1000;
    const rate = seconds > 0 ? current / seconds : 0;
    const eta = current >= total ? 0 : rate > 0 ? (total - current) / rate : Number.NaN;
    const bar = progressBarText(current, total, barWidth);
    return `${label} ${bar} ${current}/${total}  ${rate.toFixed(1)}/s  ETA ${formatDuration(eta)}`;
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
