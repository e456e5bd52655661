// Custom blocks in buildUnet: a residual U-Net (each block's convolutions plus a 1x1 shortcut,
// as in ResUNet), trained for a few epochs and reloaded on any backend.
//   node custom-blocks.mjs
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  buildUnet,
  convBlock,
  formatUnetSummary,
  mergeSkip,
  summarizeUnet,
  upsample,
} from '@unet/layers';
import { diceLoss } from '@unet/losses';
import { initBackend } from '@unet/runtime';
import { loadModel, train } from '@unet/train';
import { diskTensors } from './toy-data.mjs';

/**
 * `convBlock(input)` + a 1x1 projection of `input`. Every layer is named from `options.name`
 * (`enc1`, `bottleneck`, `dec2`, ...) so summarizeUnet can read the levels back.
 */
function residual(input, options) {
  const features = convBlock(input, options);
  const shortcut = tf.layers
    .conv2d({ filters: options.filters, kernelSize: 1, name: `${options.name}_shortcut` })
    .apply(input);
  return tf.layers.add({ name: `${options.name}_add` }).apply([features, shortcut]);
}

/** A block set: any of encoder / bottleneck / decoder; missing ones come from 'double-conv'. */
const residualBlocks = {
  encoder(input, options) {
    const skip = residual(input, options);
    const down = tf.layers.maxPooling2d({ poolSize: 2, name: `${options.name}_pool` }).apply(skip);
    return { skip, down }; // skip: to the decoder of this level; down: to the next level
  },
  bottleneck: residual,
  decoder(input, skip, options) {
    const up = upsample(input, options); // 2x2 transposed conv (or bilinear), `${name}_up`
    return residual(mergeSkip(up, skip, options.name), options);
  },
};

await initBackend();
const model = buildUnet({ inputShape: [32, 32, 1], depth: 2, filters: 8, blocks: residualBlocks });
console.log(formatUnetSummary(summarizeUnet(model)));

const { x, y } = diskTensors(64, 32);
const outDir = path.join(os.tmpdir(), 'unet-example-custom-blocks');
const result = await train({
  model,
  x,
  y,
  loss: diceLoss,
  epochs: 10,
  batchSize: 8,
  learningRate: 3e-3,
  outDir, // best/ and last/ checkpoints, log.csv, curves.png
  progress: false,
});
console.log(
  `dice loss ${result.history.loss[0].toFixed(3)} -> ${result.history.loss.at(-1).toFixed(3)}`,
);

// Only built-in tfjs layers (Conv2D, Add, ...): the model loads without any registration.
const restored = await loadModel(path.join(outDir, 'best'));
console.log(`reloaded ${restored.name}: ${restored.countParams()} parameters`);
