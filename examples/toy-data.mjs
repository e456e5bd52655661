// Synthetic segmentation data shared by the examples: grey images with a few bright disks on
// noise, and the disks as the mask. Small enough to train in seconds on any backend.
import * as tf from '@tensorflow/tfjs';
import { createRandom } from '@unet/data';

/** One `size` x `size` image and mask as flat Float32Arrays (1 channel each). */
export function diskSample(size, rand) {
  const image = new Float32Array(size * size);
  const mask = new Float32Array(size * size);
  const disks = Array.from({ length: 1 + Math.floor(rand() * 3) }, () => ({
    x: rand() * size,
    y: rand() * size,
    r: size / 10 + (rand() * size) / 8,
  }));
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const inside = disks.some((d) => (x - d.x) ** 2 + (y - d.y) ** 2 <= d.r ** 2);
      mask[y * size + x] = inside ? 1 : 0;
      image[y * size + x] = Math.min(1, (inside ? 0.6 : 0.2) + rand() * 0.3);
    }
  }
  return { image, mask };
}

/** `count` samples as NHWC tensors `{ x: [count, size, size, 1], y: [count, size, size, 1] }`. */
export function diskTensors(count, size, seed = 1) {
  const rand = createRandom(seed);
  const xs = new Float32Array(count * size * size);
  const ys = new Float32Array(count * size * size);
  for (let i = 0; i < count; i++) {
    const { image, mask } = diskSample(size, rand);
    xs.set(image, i * size * size);
    ys.set(mask, i * size * size);
  }
  return { x: tf.tensor4d(xs, [count, size, size, 1]), y: tf.tensor4d(ys, [count, size, size, 1]) };
}
