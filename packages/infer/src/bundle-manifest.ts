/**
 * The manifest of a model bundle (`unet.json` beside `model.json` and its weights): everything
 * prediction needs besides the network, so a browser page and the Node CLI turn the same image
 * into the same mask. Browser-safe: parsing works on text, fetching is the caller's.
 */

/** File name of the manifest inside a bundle folder. */
export const BUNDLE_MANIFEST_FILE = 'unet.json';
/** Format this reader writes; it reads every `1.x` (minor versions only add optional fields). */
export const BUNDLE_FORMAT_VERSION = '1.0';
const SUPPORTED_MAJOR = 1;

/** The 16-bit stretch of the satellite reader (see `normalizePercentiles`). */
export interface BundlePercentileStretch {
  low: number;
  high: number;
  /** Value (in [0, 1]) left out of the percentiles and written as 0; null keeps every pixel. */
  nodata: number | null;
}

/** How decoded pixels become model input. */
export interface BundleNormalization {
  /** Samples are divided by their type's maximum (255 for 8-bit, 65535 for 16-bit). */
  scale: 'unit';
  /** 16-bit images are stretched per band between these percentiles; 8-bit ones are not. */
  percentile16: BundlePercentileStretch | null;
}

/** Overlapping tiles at full resolution (large scenes). */
export interface BundleTiling {
  tileSize: number;
  overlap: number;
}

export interface BundleManifest {
  format: 'unet-bundle';
  formatVersion: string;
  /** The tfjs layers model file, relative to the manifest (its weights are listed inside it). */
  modelFile: string;
  /** The model's input: images are resized to it unless `tiling` is set. */
  input: { height: number; width: number; channels: number };
  normalization: BundleNormalization;
  /** A pixel is foreground when its probability is > threshold. */
  threshold: number;
  /** null: the image is resized to the input size and the output back to the image's size. */
  tiling: BundleTiling | null;
  /** Output class names, one per output channel (one name for a binary model). */
  classes: string[];
  /** The recipe that trained the model, e.g. `{ name: 'dsb2018', program: 'unet-dsb2018' }`. */
  recipe: { name: string; program: string };
  /** Package versions that produced the bundle (`@unet/train`, `@tensorflow/tfjs`, ...). */
  versions: Record<string, string>;
  /** Scores of `evaluate` (metrics.json numbers) when known. */
  metrics: Record<string, number> | null;
  createdAt: string;
}

/** A bundle that cannot be used: names the file and what is wrong with it. */
export class BundleError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'BundleError';
  }
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Reads typed fields of one JSON object, failing with the field's path. */
class Fields {
  constructor(
    private readonly file: string,
    private readonly json: Json,
    private readonly prefix = '',
  ) {}
  fail(key: string, expected: string): never {
    const got = JSON.stringify(this.json[key]) ?? 'nothing';
    throw new BundleError(this.file, `'${this.prefix}${key}' must be ${expected}, got ${got}`);
  }
  number(key: string, test: (n: number) => boolean, expected: string): number {
    const v = this.json[key];
    return typeof v === 'number' && Number.isFinite(v) && test(v) ? v : this.fail(key, expected);
  }
  nullableNumber(key: string, test: (n: number) => boolean, expected: string): number | null {
    return this.json[key] === null ? null : this.number(key, test, expected);
  }
  string(key: string): string {
    const v = this.json[key];
    return typeof v === 'string' && v.length > 0 ? v : this.fail(key, 'a non-empty string');
  }
  object(key: string): Fields {
    const v = this.json[key];
    if (!isObject(v)) this.fail(key, 'an object');
    return new Fields(this.file, v, `${this.prefix}${key}.`);
  }
  nullableObject(key: string): Fields | null {
    const v = this.json[key];
    if (v === null || v === undefined) return null;
    return this.object(key);
  }
  record<T>(key: string, test: (v: unknown) => v is T, expected: string): Record<string, T> | null {
    const v = this.json[key];
    if (v === null || v === undefined) return null;
    if (!isObject(v) || !Object.values(v).every(test)) this.fail(key, expected);
    return v as Record<string, T>;
  }
}

const positiveInt = (n: number) => Number.isInteger(n) && n > 0;
const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isString = (v: unknown): v is string => typeof v === 'string';

function checkVersion(file: string, version: string): void {
  const match = /^(\d+)\.(\d+)$/.exec(version);
  if (!match) throw new BundleError(file, `'formatVersion' must look like 1.0, got "${version}"`);
  const major = Number(match[1]);
  if (major > SUPPORTED_MAJOR) {
    throw new BundleError(
      file,
      `format ${version} was written by a newer toolkit; this one reads ${SUPPORTED_MAJOR}.x: upgrade @unet/infer`,
    );
  }
  if (major < 1) throw new BundleError(file, `format ${version} is not a released bundle format`);
}

/**
 * Parses and validates the text of a bundle manifest.
 * @param file Shown in errors (a path or URL).
 * @throws {@link BundleError} on malformed JSON, missing or ill-typed fields, or a newer major
 * format version.
 */
export function parseBundleManifest(text: string, file = BUNDLE_MANIFEST_FILE): BundleManifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new BundleError(file, `malformed JSON (${(error as Error).message})`);
  }
  if (!isObject(json)) throw new BundleError(file, 'must hold a JSON object');
  if (json.format !== 'unet-bundle') {
    throw new BundleError(file, `not a U-Net bundle manifest ('format' is not "unet-bundle")`);
  }
  const f = new Fields(file, json);
  const formatVersion = f.string('formatVersion');
  checkVersion(file, formatVersion);
  const input = f.object('input');
  const normalization = f.object('normalization');
  if (normalization.string('scale') !== 'unit') normalization.fail('scale', '"unit"');
  const stretch = normalization.nullableObject('percentile16');
  const tiling = f.nullableObject('tiling');
  const recipe = f.object('recipe');
  const classes = json.classes;
  if (!Array.isArray(classes) || classes.length === 0 || !classes.every(isString)) {
    f.fail('classes', 'a non-empty list of class names');
  }
  const percent = (n: number) => n >= 0 && n <= 100;
  const manifest: BundleManifest = {
    format: 'unet-bundle',
    formatVersion,
    modelFile: f.string('modelFile'),
    input: {
      height: input.number('height', positiveInt, 'a positive integer'),
      width: input.number('width', positiveInt, 'a positive integer'),
      channels: input.number('channels', positiveInt, 'a positive integer'),
    },
    normalization: {
      scale: 'unit',
      percentile16: stretch && {
        low: stretch.number('low', percent, 'a percentile in [0, 100]'),
        high: stretch.number('high', percent, 'a percentile in [0, 100]'),
        nodata: stretch.nullableNumber(
          'nodata',
          (n) => n >= 0 && n <= 1,
          'null or a value in [0, 1]',
        ),
      },
    },
    threshold: f.number('threshold', (n) => n > 0 && n < 1, 'a probability in (0, 1)'),
    tiling: tiling && {
      tileSize: tiling.number('tileSize', positiveInt, 'a positive integer'),
      overlap: tiling.number('overlap', (n) => Number.isInteger(n) && n >= 0, 'an integer >= 0'),
    },
    classes: classes as string[],
    recipe: { name: recipe.string('name'), program: recipe.string('program') },
    versions: f.record('versions', isString, 'an object of version strings') ?? {},
    metrics: f.record('metrics', isFiniteNumber, 'null or an object of numbers'),
    createdAt: f.string('createdAt'),
  };
  if (manifest.tiling && manifest.tiling.overlap >= manifest.tiling.tileSize) {
    tiling!.fail('overlap', `smaller than the tile size ${manifest.tiling.tileSize}`);
  }
  return manifest;
}
