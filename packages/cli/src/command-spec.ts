import { BACKEND_PREFERENCES, COMPILE_MODES } from '@unet/runtime';
import { PREDICT_QUEUE_FLAGS } from './queue/queue-flags.js';

export interface FlagSpecBase {
  /** The line `--help` prints for the flag. */
  help: string;
  /** The run cannot start without it (`--help` says "required"). */
  required?: boolean;
  /** Placeholder in the usage line, e.g. DIR. */
  value?: string;
}

/** One command-line flag: its type, default and the line `--help` prints for it. */
export type FlagSpec =
  | (FlagSpecBase & {
      type: 'string';
      default?: string;
      /** Allowed values; the parsed value's type is their union. */
      choices?: readonly string[];
    })
  | (FlagSpecBase & { type: 'number'; default?: number })
  | (FlagSpecBase & { type: 'boolean'; default?: boolean });

/** A command's flags by name (without the `--`). */
export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

/** The value type of one flag: its choices' union, else string, number or boolean. */
export type FlagValue<F extends FlagSpec> = F extends { type: 'number' }
  ? number
  : F extends { type: 'boolean' }
    ? boolean
    : F extends { choices: readonly (infer C extends string)[] }
      ? C
      : string;

/** Whether a parsed flag always has a value: it is required, or has a default. */
export type AlwaysSet<F> = F extends { required: true }
  ? true
  : F extends { default: unknown }
    ? true
    : false;

/**
 * What {@link parseFlags} returns for flags `F`: each flag under its name, typed by its spec, and
 * optional only when it is neither required nor defaulted. Declaring a spec `as const satisfies
 * FlagSpecs` keeps the literal `type`, `required` and `choices` this type reads.
 */
export type FlagValues<F extends FlagSpecs> = {
  -readonly [K in keyof F as AlwaysSet<F[K]> extends true ? K : never]: FlagValue<F[K]>;
} & {
  -readonly [K in keyof F as AlwaysSet<F[K]> extends true ? never : K]?: FlagValue<F[K]>;
};

export interface CommandSpec<F extends FlagSpecs = FlagSpecs> {
  name: string;
  summary: string;
  flags: F;
}

/** `--backend`: which TensorFlow.js backend to load (see `initBackend`). */
export const BACKEND_FLAG = {
  type: 'string',
  value: 'NAME',
  default: 'auto',
  choices: ['auto', ...BACKEND_PREFERENCES],
  help: 'TensorFlow.js backend (auto: the best available)',
} as const satisfies FlagSpec;

/** `--mask-threshold`: soft (non-binary) mask files are thresholded instead of refused. */
export const MASK_THRESHOLD_FLAG = {
  type: 'number',
  value: 'F',
  help: 'threshold soft masks: pixels >= F x the maximum value (255 for 8-bit) are foreground (default: masks must be binary)',
} as const satisfies FlagSpec;

/**
 * Class weights of a multi-class loss: `none`; `auto`, median-frequency balancing of the training
 * masks (SegNet's); `sqrt`, the square root of those, which still lifts rare classes but does
 * not push the big ones' pixels into them as often.
 */
export const CLASS_WEIGHTINGS = ['none', 'auto', 'sqrt'] as const;
export type ClassWeighting = (typeof CLASS_WEIGHTINGS)[number];

/** `--tta`: test-time augmentation in `predict` and `evaluate`. */
export const TTA_FLAG = {
  type: 'string',
  value: 'off|flips|d4',
  default: 'off',
  choices: ['off', 'flips', 'd4'],
  help: 'test-time augmentation: average the probabilities over flips (4 runs) or flips and 90-degree rotations (8 runs)',
} as const satisfies FlagSpec;

/** `--compile`: eager, or the training step / forward pass as one compiled TensorFlow graph. */
export const COMPILE_FLAG = {
  type: 'string',
  value: 'MODE',
  default: 'auto',
  choices: COMPILE_MODES,
  help: 'run as one compiled TensorFlow graph: fp32, bf16 (bfloat16 compute, float32 weights and loss) or off (eager); auto: on the tensorflow backend bf16 where the CPU has AVX512_BF16 or AMX, else fp32; off on other backends',
} as const satisfies FlagSpec;

/** Per-app defaults of the `train` flags (a recipe's `defaults`). */
export interface TrainDefaults {
  epochs: number;
  batchSize: number;
  /** `N` (square) or `"HxW"` (e.g. `"192x256"`). */
  imageSize: number | string;
  /** Class weights of multi-class training (see {@link CLASS_WEIGHTINGS}). Default none. */
  classWeights?: ClassWeighting;
  valSplit: number;
  patience?: number;
}

/** The flags every app shares, per command (the apps' command-line contract). */
export function trainFlags(defaults: TrainDefaults) {
  return {
    data: {
      type: 'string',
      value: 'DIR',
      required: true,
      help: 'dataset folder in its usual on-disk layout',
    },
    out: {
      type: 'string',
      value: 'DIR',
      required: true,
      help: 'output folder (model/, history.csv, curves.png, config.json)',
    },
    epochs: {
      type: 'number',
      value: 'N',
      default: defaults.epochs,
      help: 'maximum number of epochs',
    },
    'batch-size': {
      type: 'number',
      value: 'N',
      default: defaults.batchSize,
      help: 'images per training step',
    },
    'image-size': {
      type: 'string',
      value: 'N|HxW',
      default: String(defaults.imageSize),
      help: 'images are resized to N x N (or H rows x W columns, e.g. 192x256) for training',
    },
    classes: {
      type: 'string',
      value: 'FILE.json',
      help: "train K classes: masks hold class indices of this class list (see README 'Many classes'); default: the app's classes, else binary",
    },
    'class-weights': {
      type: 'string',
      value: 'none|auto|sqrt',
      default: defaults.classWeights ?? 'none',
      choices: [...CLASS_WEIGHTINGS],
      help: 'multi-class loss weights: none, auto (median frequency of the training masks, SegNet) or sqrt (the square root of those: rare classes still count, the big ones lose fewer pixels to them)',
    },
    targets: {
      type: 'string',
      value: 'binary|instances',
      default: 'binary',
      choices: ['binary', 'instances'],
      help: 'instance recipes: learn the union mask (binary, sigmoid) or 3 classes per pixel, background / interior / boundary of each object (instances: softmax, sparse cross-entropy, --class-weights), which the instance split separates touching objects with',
    },
    'val-split': {
      type: 'number',
      value: 'F',
      default: defaults.valSplit,
      help: 'fraction of samples held out for validation',
    },
    seed: {
      type: 'number',
      value: 'N',
      default: 42,
      help: 'seed of the split, shuffling, augmentation, initial weights and dropout',
    },
    'mask-threshold': MASK_THRESHOLD_FLAG,
    'recalibrate-bn': {
      type: 'string',
      value: 'on|off',
      default: 'on',
      choices: ['on', 'off'],
      help: 'recompute batch-norm statistics from the training images before validations and saves',
    },
    backend: BACKEND_FLAG,
    compile: COMPILE_FLAG,
    'learning-rate': { type: 'number', value: 'F', default: 1e-3, help: 'Adam learning rate' },
    patience: {
      type: 'number',
      value: 'N',
      default: defaults.patience ?? 8,
      help: 'early stopping patience in epochs; the learning rate halves after half as many (0: both off)',
    },
    'max-minutes': {
      type: 'number',
      value: 'M',
      default: 0,
      help: 'stop after the epoch that passes M minutes (0: no limit)',
    },
    split: {
      type: 'string',
      value: 'FILE',
      help: "use the 'train' and 'val' ids of a split.json (e.g. one written by train) instead of --val-split",
    },
    resume: { type: 'boolean', default: false, help: 'continue from the last checkpoint in --out' },
    force: {
      type: 'boolean',
      default: false,
      help: "with --resume: continue even if model, image size, loss or split differ from the run's",
    },
    config: {
      type: 'string',
      value: 'FILE.json',
      help: 'read settings from a JSON file (flags given win)',
    },
  } as const satisfies FlagSpecs;
}

export type TrainFlags = ReturnType<typeof trainFlags>;

export const EVALUATE_FLAGS = {
  data: { type: 'string', value: 'DIR', required: true, help: 'dataset folder with masks' },
  model: {
    type: 'string',
    value: 'DIR',
    required: true,
    help: 'folder holding model.json (e.g. OUT/model of train)',
  },
  out: {
    type: 'string',
    value: 'DIR',
    required: true,
    help: 'where metrics.json and per_image.csv go',
  },
  split: {
    type: 'string',
    value: 'FILE',
    help: "evaluate only the 'val' ids of a split.json written by train",
  },
  threshold: {
    type: 'number',
    value: 'F',
    default: 0.5,
    help: 'probability above which a pixel is foreground',
  },
  subset: {
    type: 'string',
    value: 'NAME',
    help: "for datasets published in subsets (e.g. CamVid): the subset to score (default the app's, e.g. test)",
  },
  'at-model-size': {
    type: 'boolean',
    default: false,
    help: "score masks resized to the model's input size (as Keras scripts do) instead of at original size",
  },
  'mask-threshold': MASK_THRESHOLD_FLAG,
  tta: TTA_FLAG,
  'tune-postprocess': {
    type: 'boolean',
    default: false,
    help: "instance recipes: choose the instance split's h and min-area on these images (use --split for the validation ids) and save them as MODEL/postprocess.json",
  },
  backend: BACKEND_FLAG,
  compile: COMPILE_FLAG,
} as const satisfies FlagSpecs;

export const PREDICT_FLAGS = {
  input: {
    type: 'string',
    value: 'DIR_OR_FILE',
    required: true,
    help: 'an image, or a folder searched for images',
  },
  model: { type: 'string', value: 'DIR', required: true, help: 'folder holding model.json' },
  out: {
    type: 'string',
    value: 'DIR',
    required: true,
    help: 'where one PNG mask per input goes, at its original size',
  },
  threshold: {
    type: 'number',
    value: 'F',
    default: 0.5,
    help: 'probability above which a pixel is foreground',
  },
  overlay: { type: 'boolean', default: false, help: 'also write image | mask overlays' },
  tta: TTA_FLAG,
  instances: {
    type: 'boolean',
    default: false,
    help: 'instance recipes: also write instances/NAME.png, a 16-bit label image (split as in MODEL/postprocess.json)',
  },
  simplify: {
    type: 'number',
    value: 'PX',
    default: 1,
    help: 'polygon recipes: Douglas-Peucker tolerance of the GeoJSON outlines in pixels (0: exact pixel outlines)',
  },
  coordinates: {
    type: 'string',
    value: 'auto|pixel|map',
    default: 'auto',
    choices: ['auto', 'pixel', 'map'],
    help: 'polygon recipes: GeoJSON in pixel coordinates, plus map coordinates when the image is georeferenced (auto), or map required (map)',
  },
  probabilities: {
    type: 'boolean',
    default: false,
    help: 'multi-class models: also write the class probabilities (probabilities/NAME.npy, float32 HxWxK)',
  },
  backend: BACKEND_FLAG,
  compile: COMPILE_FLAG,
  ...PREDICT_QUEUE_FLAGS,
} as const satisfies FlagSpecs;
