/** JSON-safe state of a callback, saved in `state.json` so `train({ resume: true })` restores it. */
export type CallbackState = Record<string, number | boolean | string | null>;

/**
 * A callback whose progress survives a resume: `train()` saves `getState()` with every resume
 * checkpoint (under `stateKey`, which must be unique among the run's callbacks) and calls
 * `setState()` before training continues. Implement it on a custom callback to make it resumable.
 */
export interface StatefulCallback {
  readonly stateKey: string;
  getState(): CallbackState;
  setState(state: CallbackState): void;
}

/** True when `callback` implements {@link StatefulCallback}. */
export function isStatefulCallback(callback: unknown): callback is StatefulCallback {
  const c = callback as Partial<StatefulCallback> | null;
  return (
    c != null &&
    typeof c.stateKey === 'string' &&
    typeof c.getState === 'function' &&
    typeof c.setState === 'function'
  );
}

/** Reads a number from saved state (JSON turns +-Infinity into strings; see training-state). */
export function stateNumber(state: CallbackState, key: string, fallback: number): number {
  const value = state[key];
  return typeof value === 'number' ? value : fallback;
}

/** A line sink: callbacks report through it (default: `console.error`, i.e. stderr). */
export type LogFn = (line: string) => void;

/** Default line sink of the callbacks: stderr, so stdout stays clean for data. */
export const defaultLog: LogFn = (line) => console.error(line);
