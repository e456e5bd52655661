import type * as tf from '@tensorflow/tfjs';
import type { AugmentOptions, RasterImage, ReadOptions, SampleRef } from '@unet/data';
import type { TrainDefaults } from './command-spec.js';

/** Settings a recipe's readers and model builder receive. */
export interface RecipeSettings {
  /** Square training size in pixels (`--image-size`). */
  imageSize: number;
  /** Image channels the model takes. */
  channels: 1 | 3;
  /** Seed of the run (`--seed`): pass it to `buildUnet({ seed })` so runs start identically. */
  seed: number;
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
  list(dataDir: string, options: ReadOptions): Promise<SampleRef[]>;
  /** Builds an uncompiled model for `settings`. */
  buildModel(settings: RecipeSettings): tf.LayersModel;
  /** Registered loss name (`@unet/losses`), e.g. `binaryCrossentropy` or `bceDiceLoss`. */
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
   * `--tune-postprocess`), and `predict --instances` writes 16-bit label images.
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
