import type * as tf from '@tensorflow/tfjs';
import type { AugmentOptions, ClassList, RasterImage, ReadOptions, SampleRef } from '@unet/data';
import type { TrainDefaults } from './command-spec.js';

/** Settings a recipe's readers and model builder receive. */
export interface RecipeSettings {
  /**
   * Training size in pixels (`--image-size N`): the height, which is also the width when the
   * size is square. Build with {@link RecipeSettings.height} and {@link RecipeSettings.width}.
   */
  imageSize: number;
  /** Training height in pixels (`--image-size N` or `HxW`). */
  height: number;
  /** Training width in pixels. */
  width: number;
  /** Output classes: 1 (binary, sigmoid), else the class list's length (softmax). */
  numClasses: number;
  /** Image channels the model takes. */
  channels: 1 | 3;
  /** Seed of the run (`--seed`): pass it to `buildUnet({ seed })` so runs start identically. */
  seed: number;
}

/**
 * What a recipe's `list` receives besides the reader options (`ReadOptions`): the subset and the
 * classes to read.
 */
export interface RecipeListOptions {
  /** A named subset of a dataset laid out in subsets (e.g. CamVid's `train`, `val`, `test`). */
  subset?: string;
  /** Multi-class masks of these classes (`--classes FILE.json`); unset: binary masks. */
  classes?: ClassList;
  /**
   * Instance recipes (`train --targets instances`): masks of the 3 instance classes (background,
   * interior, boundary; `instanceTargets` of @unet/infer at the requested size) instead of the
   * union of the objects. Unset: `'binary'`.
   */
  targets?: 'binary' | 'instances';
}

/**
 * One dataset's recipe, everything a per-dataset app decides: how to list its samples, which
 * model and loss to train, and the defaults of its flags. {@link runSegmentationCli} turns it into
 * the `train | evaluate | predict` command line every app shares.
 */
export interface SegmentationRecipe {
  /** Program name shown in `--help` (e.g. `unet-dsb2018`). */
  program: string;
  /** One paragraph on the dataset and its on-disk layout. */
  description: string;
  /** Image channels of the model (1: grey, 3: RGB). */
  channels: 1 | 3;
  /** Flag defaults. */
  defaults: TrainDefaults;
  /** Lists a dataset folder; `options.size` unset means original size (evaluation). */
  list(dataDir: string, options: ReadOptions & RecipeListOptions): Promise<SampleRef[]>;
  /**
   * The classes of a multi-class dataset (K >= 2 names, an optional ignore index): the model
   * ends in K softmax channels and trains with {@link SegmentationRecipe.loss}, a sparse loss
   * configured with the ignore index and class weights. Unset: binary, unless `--classes` is
   * given to `train`.
   */
  classes?: ClassList;
  /**
   * `train --classes FILE.json` is accepted: `list` honours `options.classes` (reads class masks)
   * and `buildModel` honours `settings.numClasses`. Default false (the flag is refused).
   */
  classesFlag?: boolean;
  /**
   * Datasets published in subsets: `train` reads `list({ subset: train })` and validates on
   * `list({ subset: validation })` (no `--val-split`); `evaluate` scores `--subset`, default
   * `evaluate`.
   */
  subsets?: { train: string; validation: string; evaluate: string };
  /** Builds an uncompiled model for `settings`. */
  buildModel(settings: RecipeSettings): tf.LayersModel;
  /**
   * Registered loss name (`@unet/losses`), e.g. `binaryCrossentropy` or `bceDiceLoss`; for
   * multi-class training a sparse loss (`sparseCategoricalCrossentropy`, ...). Binary recipes
   * trained with `--classes` use `sparseCategoricalCrossentropy`.
   */
  loss: string;
  /** Registered metric names reported per epoch. */
  metrics: string[];
  /** Quantity that picks the best checkpoint and drives early stopping. Default `val_loss`. */
  monitor?: string;
  /** Augmentation of training batches. Default flips and 90-degree rotations. */
  augment?: boolean | AugmentOptions;
  /**
   * Objects are instances (nuclei): `evaluate` scores the DSB2018 mAP with connected components
   * (`map`) and with the instance split (`map_split`, its settings tunable with
   * `--tune-postprocess`), and `predict --instances` writes 16-bit label images. `train
   * --targets instances` trains 3 classes (background, interior, boundary): `list` must honour
   * `options.targets` and `buildModel` `settings.numClasses`.
   */
  instances?: boolean;
  /**
   * Objects are footprints (buildings) with polygon annotations (the sample's second file):
   * `predict` writes GeoJSON outlines, `evaluate` adds the SpaceNet building score.
   */
  polygons?: boolean;
  /**
   * Samples are tiles of larger scenes: `list` with a `size` returns tiles of that size (ids name
   * the tile), without one whole scenes, which `evaluate` and `predict` segment in overlapping
   * tiles at full resolution instead of resizing them.
   */
  tile?: boolean;
  /**
   * Decodes an image for `predict` as the reader does for training (e.g. a 16-bit stretch).
   * Default: `decodeImage` with the recipe's channels.
   */
  readImage?: (file: string, channels: 1 | 3) => Promise<RasterImage>;
}
