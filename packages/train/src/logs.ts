import type * as tf from '@tensorflow/tfjs';

/** Epoch or batch logs as tfjs hands them to callbacks: numbers or (not yet read) scalars. */
export type RawLogs = Record<string, number | tf.Scalar>;

/** Logs with every value read into a number. */
export type NumericLogs = Record<string, number>;

/**
 * Reads every scalar tensor in `logs` into a number, in place, and disposes the tensor, exactly
 * as tfjs' own `CustomCallback` does; later callbacks then see numbers. Safe to call repeatedly.
 */
export async function resolveLogs(logs: RawLogs | undefined): Promise<NumericLogs> {
  if (logs == null) return {};
  const keys: string[] = [];
  const reads: Promise<tf.TypedArray>[] = [];
  for (const [key, value] of Object.entries(logs)) {
    if (typeof value !== 'number') {
      keys.push(key);
      reads.push(value.data() as Promise<tf.TypedArray>);
    }
  }
  if (keys.length > 0) {
    const values = await Promise.all(reads);
    keys.forEach((key, i) => {
      const tensor = logs[key] as tf.Scalar;
      logs[key] = values[i]![0]!;
      tensor.dispose();
    });
  }
  return logs as NumericLogs;
}

/** Keys every model reports that are bookkeeping, not metrics. */
export const NON_METRIC_KEYS: ReadonlySet<string> = new Set(['batch', 'size', 'num_steps']);

/**
 * True when the losses in `logs` (`loss`, `val_loss` and `monitor` if given) are finite numbers
 * or absent. Checkpoints are not written from an epoch whose losses are NaN or infinite.
 */
export function lossesAreFinite(logs: NumericLogs, monitor?: string): boolean {
  for (const key of ['loss', 'val_loss', monitor]) {
    if (key === undefined) continue;
    const value = logs[key];
    if (value !== undefined && !Number.isFinite(value)) return false;
  }
  return true;
}

/** A number as logs and CSV show it: 4 significant decimals, exponent notation when tiny. */
export function formatMetric(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e5)) return value.toExponential(3);
  return value.toFixed(4);
}
