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
