/** Default pip requirement holding the TensorFlow C library (CPU). */
export declare const DEFAULT_WHEEL: string;
/** Default pip requirement for @tensorflow/tfjs-node-gpu (the CUDA build). */
export declare const DEFAULT_GPU_WHEEL: string;
/** The `--help` text. */
export declare const HELP: string;
/** Exit code of the bin for a bad command line. */
export declare const USAGE_EXIT_CODE: number;
/** A bad command line (unknown flag, missing value, positional argument). */
export declare class SetupUsageError extends Error {}
export interface SetupOptions {
  help: boolean;
  skip: boolean;
  strict: boolean;
  rebuild: boolean;
  source: 'auto' | 'wheel' | 'download' | 'libdir';
  libDir: string | undefined;
  wheel: string | undefined;
  cacheDir: string;
  python: string;
  downloadTimeoutMs: number;
}
/** Settings from flags and environment variables; throws SetupUsageError on a bad command line. */
export declare function readOptions(
  argv?: readonly string[],
  env?: Readonly<Record<string, string | undefined>>,
): SetupOptions;
