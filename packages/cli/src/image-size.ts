import { UsageError } from './parse-flags.js';

/** A training size, height by width in pixels. */
export interface ImageShape {
  height: number;
  width: number;
}

/**
 * `--image-size`: `N` (N x N) or `HxW` (e.g. `192x256`: 192 rows, 256 columns). A number read
 * from a `--config` file is `N`.
 * @throws {@link UsageError} naming the command and the value.
 */
export function parseImageSize(command: string, value: string | number): ImageShape {
  const text = String(value).trim();
  const match = /^(\d+)(?:\s*[xX]\s*(\d+))?$/.exec(text);
  const height = match ? Number(match[1]) : Number.NaN;
  const width = match ? Number(match[2] ?? match[1]) : Number.NaN;
  if (!(Number.isInteger(height) && height >= 1 && Number.isInteger(width) && width >= 1)) {
    throw new UsageError(
      `${command}: --image-size must be N or HxW with positive integers (e.g. 256 or 192x256), got '${text}'`,
    );
  }
  return { height, width };
}

/**
 * The size as `config.json` records it: a number when square (as runs before `HxW` existed
 * wrote it, so their `--resume` still matches), else `"HxW"`.
 */
export function imageSizeSetting({ height, width }: ImageShape): number | string {
  return height === width ? height : `${height}x${width}`;
}
