import * as tf from '@tensorflow/tfjs';
import type { UnetLevelOptions } from './block-set.js';
import { type ResolvedUnetConfig, resolveUnetConfig, type UnetOptions } from './config.js';
import { seedInitialWeights } from './seed-weights.js';
import { applyLayer } from './symbolic.js';

function levelOptions(config: ResolvedUnetConfig, level: number, name: string): UnetLevelOptions {
  return {
    level,
    name,
    filters: config.filters[level - 1]!,
    dropout: config.dropout[level - 1]!,
    activation: config.activation,
    kernelInitializer: config.kernelInitializer,
    padding: config.padding,
    batchNorm: config.batchNorm,
    upsampling: config.upsampling,
  };
}

/**
 * Builds a U-Net as a `tf.LayersModel` (Keras functional API): `depth` encoder blocks, a
 * bottleneck, `depth` decoder blocks joined to the encoder blocks by skip connections, and a 1x1
 * convolution to `numClasses` channels with sigmoid (1 class) or softmax (more).
 *
 * Input `[batch, height, width, channels]` (images in [0, 1]); output
 * `[batch, height', width', numClasses]` where height' = height under padding 'same'. Height
 * and width must be multiples of 2^depth under 'same' (e.g. 128 for depth 4); under 'valid'
 * the error message names the nearest sizes that fit (572 -> 388 for depth 4).
 *
 * Layers are named by level (`enc1_conv1`, `enc1_pool`, `bottleneck_conv1`, `dec1_up`,
 * `dec1_concat`, `head_conv`, ...), which {@link summarizeUnet} uses. The model is not compiled.
 * Only built-in layers are used, so `model.save()` / `tf.loadLayersModel()` need no
 * registration. Dispose the model (`model.dispose()`) to free its weights.
 *
 * @param options - a preset and/or config fields, see {@link UnetOptions}.
 * @throws {@link UnetConfigError} for an invalid config, saying what to change.
 * @example
 * const model = buildUnet({ preset: 'dsb2018' }); // 128x128x3 -> 128x128x1, 1,400,033 params
 * const small = buildUnet({ inputShape: [96, 96, 1], depth: 3, filters: 16, batchNorm: true });
 * const multi = buildUnet({ preset: 'paper', inputShape: [256, 256, 3], numClasses: 4 });
 * const same = buildUnet({ preset: 'dsb2018', seed: 42 }); // same initial weights every time
 */
export function buildUnet(options: UnetOptions): tf.LayersModel {
  const config = resolveUnetConfig(options);
  const { blocks, depth, numClasses } = config;
  const input = tf.input({ shape: config.inputShape, name: 'input' });
  const skips: tf.SymbolicTensor[] = [];
  let x = input;
  for (let level = 1; level <= depth; level++) {
    const { skip, down } = blocks.encoder(x, levelOptions(config, level, `enc${level}`));
    skips.push(skip);
    x = down;
  }
  x = blocks.bottleneck(x, levelOptions(config, depth + 1, 'bottleneck'));
  for (let level = depth; level >= 1; level--) {
    x = blocks.decoder(x, skips[level - 1]!, levelOptions(config, level, `dec${level}`));
  }
  const head = tf.layers.conv2d({
    filters: numClasses,
    kernelSize: 1,
    activation: numClasses === 1 ? 'sigmoid' : 'softmax',
    name: 'head_conv',
  });
  const output = applyLayer(head, x);
  const built = output.shape.slice(1);
  if (built.some((d, i) => d !== config.outputShape[i])) {
    throw new Error(
      `the '${config.blocksName}' blocks produced an output of ${JSON.stringify(built)} where ` +
        `${JSON.stringify(config.outputShape)} was expected: check blocks.convsPerBlock`,
    );
  }
  const model = tf.model({ inputs: input, outputs: output, name: config.name });
  if (options.seed !== undefined) seedInitialWeights(model, options.seed);
  return model;
}
