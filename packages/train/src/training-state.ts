import fs from 'node:fs/promises';
import path from 'node:path';
import type { CallbackState } from './callbacks/stateful.js';
import { resolveCheckpointDir } from './checkpoint-store.js';

/**
 * Per-epoch history, Keras-shaped: `epoch` lists the 0-based epochs, `history[key][i]` is the
 * value of `key` at `epoch[i]` (NaN where an epoch did not log `key`).
 */
export interface TrainHistory {
  epoch: number[];
  history: Record<string, number[]>;
}

/** Why a run ended. */
export type StopReason = 'completed' | 'early-stopping' | 'non-finite-loss' | 'stopped';

/** Contents of `state.json` in a resume checkpoint (`<outDir>/last`). */
export interface TrainingState {
  version: 1;
  /** 0-based index of the last completed epoch. */
  epoch: number;
  /** Total epochs the run that wrote this aimed for. */
  epochs: number;
  /** Learning rate to use from the next epoch on. */
  learningRate: number;
  /** Monitored quantity of the best checkpoint and its direction. */
  monitor: { key: string; mode: 'min' | 'max' };
  /** Best monitored value so far and its 0-based epoch (null before any). */
  best: { score: number | null; epoch: number | null };
  /** History of every completed epoch since the first run, resumes included. */
  history: TrainHistory;
  /** {@link StatefulCallback} states by `stateKey`. */
  callbacks: Record<string, CallbackState>;
  /** Set when the run ended on its own (not killed); null while it is running. */
  stopReason: StopReason | null;
  /** Seed of the data order, if one was given. */
  seed: number | null;
  savedAt: string;
}

const NON_FINITE = new Map<string, number>([
  ['Infinity', Number.POSITIVE_INFINITY],
  ['-Infinity', Number.NEGATIVE_INFINITY],
  ['NaN', Number.NaN],
]);

/** JSON text of a state object; non-finite numbers are kept as the strings 'Infinity', 'NaN'. */
export function encodeStateJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v),
    2,
  );
}

/** Parses text written by {@link encodeStateJson}, turning 'Infinity'/'NaN' back into numbers. */
export function decodeStateJson<T>(text: string): T {
  return JSON.parse(text, (_key, v: unknown) =>
    typeof v === 'string' && NON_FINITE.has(v) ? NON_FINITE.get(v) : v,
  ) as T;
}

/**
 * Reads `state.json` from a checkpoint folder (e.g. `<outDir>/last` or `<outDir>/best`), or
 * returns null when there is no checkpoint. Tolerates a writer killed mid-replace.
 */
export async function readCheckpointState<T = TrainingState>(dir: string): Promise<T | null> {
  const folder = await resolveCheckpointDir(dir);
  if (folder === null) return null;
  const file = path.join(folder, 'state.json');
  try {
    return decodeStateJson<T>(await fs.readFile(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file}: cannot read checkpoint state (${(error as Error).message})`);
  }
}

/** An empty history. */
export function emptyHistory(): TrainHistory {
  return { epoch: [], history: {} };
}

/**
 * Appends one epoch's logs to `history` in place (keys missing on either side become NaN, so
 * every series stays as long as `epoch`).
 */
export function appendHistory(
  history: TrainHistory,
  epoch: number,
  logs: Record<string, number>,
): void {
  const length = history.epoch.length;
  for (const [key, value] of Object.entries(logs)) {
    if (key === 'batch' || key === 'size') continue;
    const series = history.history[key] ?? Array.from({ length }, () => Number.NaN);
    series.push(value);
    history.history[key] = series;
  }
  history.epoch.push(epoch);
  for (const series of Object.values(history.history)) {
    if (series.length === length) series.push(Number.NaN);
  }
}

/** A deep copy of a history. */
export function cloneHistory(history: TrainHistory): TrainHistory {
  return {
    epoch: [...history.epoch],
    history: Object.fromEntries(Object.entries(history.history).map(([k, v]) => [k, [...v]])),
  };
}
