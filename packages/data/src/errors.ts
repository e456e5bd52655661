import { readFile } from 'node:fs/promises';

/**
 * Errors raised for bad input files. Every message names the file and says what is wrong with it,
 * so a user can find and fix (or remove) the offending sample.
 */

/** What was wrong with a file; lets callers (and `skipBadSamples`) tell problems apart. */
export type DataProblem =
  | 'unreadable'
  | 'corrupt-image'
  | 'size-mismatch'
  | 'missing-folder'
  | 'missing-file'
  | 'empty-dataset'
  | 'non-binary-mask'
  | 'unknown-class-value'
  | 'bad-class-list'
  | 'bad-polygons'
  | 'unsupported';

/** An input file (or folder) that cannot be used, with the path and the problem. */
export class DataFileError extends Error {
  override readonly name = 'DataFileError';
  /** Path of the offending file or folder. */
  readonly file: string;
  /** Category of the problem. */
  readonly problem: DataProblem;

  constructor(file: string, problem: DataProblem, detail: string, options?: { cause?: unknown }) {
    super(`${file}: ${detail}`, options);
    this.file = file;
    this.problem = problem;
  }
}

/** A sample that was skipped because of a {@link DataFileError} (with `skipBadSamples: true`). */
export interface SkippedSample {
  id: string;
  error: DataFileError;
}

/** The error's message, whatever was thrown. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A {@link DataFileError} for `file` that wraps `error`: `<file>: <doing> (<why>)`. */
export function wrapFileError(
  file: string,
  problem: DataProblem,
  doing: string,
  error: unknown,
): DataFileError {
  return new DataFileError(file, problem, `${doing} (${describeError(error)})`, { cause: error });
}

/** `file` parsed as JSON; a {@link DataFileError} (`cannot read <what>`) when unreadable or not JSON. */
export async function readJsonFile(
  file: string,
  problem: DataProblem,
  what: string,
): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw wrapFileError(file, problem, `cannot read ${what}`, error);
  }
}
