/** One command-line flag: its type, default and the line `--help` prints for it. */
export interface FlagSpec {
  type: 'string' | 'number' | 'boolean';
  help: string;
  required?: boolean;
  default?: string | number | boolean;
  /** Allowed values for string flags. */
  choices?: readonly string[];
  /** Placeholder in the usage line, e.g. DIR. */
  value?: string;
}

export interface CommandSpec {
  name: string;
  summary: string;
  flags: Record<string, FlagSpec>;
}

/** `--backend`: which TensorFlow.js backend to load (see `initBackend`). */
export const BACKEND_FLAG: FlagSpec = {
  type: 'string',
  value: 'NAME',
  default: 'auto',
  choices: ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'],
  help: 'TensorFlow.js backend (auto: the best available)',
};

/** `--mask-threshold`: soft (non-binary) mask files are thresholded instead of refused. */
export const MASK_THRESHOLD_FLAG: FlagSpec = {
  type: 'number',
  value: 'F',
  help: 'threshold soft masks: pixels >= F x the maximum value (255 for 8-bit) are foreground (default: masks must be binary)',
};

export type FlagValues = Record<string, string | number | boolean | undefined>;

/** The flags every app shares, per command (the apps' command-line contract). */
export function trainFlags(defaults: {
  epochs: number;
  batchSize: number;
  imageSize: number;
  valSplit: number;
  patience?: number;
}): Record<string, FlagSpec> {
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
      type: 'number',
      value: 'N',
      default: defaults.imageSize,
      help: 'images are resized to N x N for training',
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
  };
}

export const EVALUATE_FLAGS: Record<string, FlagSpec> = {
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
  'mask-threshold': MASK_THRESHOLD_FLAG,
  threshold: {
    type: 'number',
    value: 'F',
    default: 0.5,
    help: 'probability above which a pixel is foreground',
  },
  'at-model-size': {
    type: 'boolean',
    default: false,
    help: "score masks resized to the model's input size (as Keras scripts do) instead of at original size",
  },
  backend: BACKEND_FLAG,
};

export const PREDICT_FLAGS: Record<string, FlagSpec> = {
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
  backend: BACKEND_FLAG,
};
