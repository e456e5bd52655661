// A new dataset reader on @unet/data's primitives: a CSV manifest (`id,image,mask` per line,
// paths relative to the manifest) instead of a folder layout. It gets caching, bad-file errors,
// skipBadSamples, progress, splits and tf.data batching from the package, like the built-in readers.
//   node custom-reader.mjs
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  binaryMaskToRaster,
  createRandom,
  createSampleRefs,
  DataFileError,
  decodeImageResized,
  encodePng,
  loadSamples,
  readBinaryMask,
  readImageHeader,
  resizeBinaryMask,
  splitDataset,
  toTfDataset,
} from '@unet/data';
import { buildUnet } from '@unet/layers';
import { bceDiceLoss, diceCoefficient } from '@unet/losses';
import { initBackend } from '@unet/runtime';
import { train } from '@unet/train';
import { diskSample } from './toy-data.mjs';

/** Lists the samples of a manifest without decoding them (`SampleRef`s, loaded lazily). */
export async function listManifest(manifest, options = {}) {
  const root = path.dirname(path.resolve(manifest));
  const lines = (await fs.readFile(manifest, 'utf8')).split('\n').filter((l) => l.trim() !== '');
  const size = options.size; // { width, height } or undefined (keep each image's size)
  const recipes = lines.slice(1).map((line, i) => {
    const [id, image, mask] = line.split(',').map((cell) => cell.trim());
    if (!id || !image || !mask) {
      // Listing already knows the sample is unusable: loading it throws this error.
      const error = new DataFileError(manifest, 'unsupported', `line ${i + 2}: want id,image,mask`);
      return {
        id: id || `line-${i + 2}`,
        files: [manifest],
        error,
        decode: () => Promise.reject(error),
      };
    }
    const files = [path.resolve(root, image), path.resolve(root, mask)];
    return {
      id,
      files, // image first; all of them (path, size, mtime) key the on-disk cache
      async decode() {
        const header = await readImageHeader(files[0]);
        const binary = await readBinaryMask(files[1]); // strict {0, 1}: a grey mask is an error
        if (binary.width !== header.width || binary.height !== header.height) {
          throw new DataFileError(
            files[1],
            'size-mismatch',
            `mask is ${binary.width}x${binary.height}, image ${files[0]} is ${header.width}x${header.height}`,
          );
        }
        const target = size ?? header;
        const resized = await resizeBinaryMask(binary, target.width, target.height);
        return {
          id,
          image: await decodeImageResized(files[0], { channels: 1 }, { ...target, kind: 'image' }),
          mask: binaryMaskToRaster(resized),
          originalSize: { width: header.width, height: header.height },
          files,
        };
      },
    };
  });
  // `settings` must hold everything besides the files that changes the decoded result.
  return createSampleRefs('csv-manifest', recipes, { size, channels: 1 }, options);
}

// A small dataset in that layout: scans/<id>.png, labels/<id>_seg.png, manifest.csv.
const root = path.join(os.tmpdir(), 'unet-example-manifest');
const manifest = path.join(root, 'manifest.csv');
if (!(await fs.stat(manifest).catch(() => null))) {
  const rand = createRandom(7);
  const png = (file, data) => encodePng(file, { data, width: 48, height: 48, channels: 1 });
  const rows = ['id,image,mask'];
  for (let i = 0; i < 40; i++) {
    const { image, mask } = diskSample(48, rand);
    await png(path.join(root, 'scans', `s${i}.png`), image);
    await png(path.join(root, 'labels', `s${i}_seg.png`), mask);
    rows.push(`s${i},scans/s${i}.png,labels/s${i}_seg.png`);
  }
  await fs.writeFile(manifest, `${rows.join('\n')}\n`);
}

await initBackend();
const refs = await listManifest(manifest, {
  size: { width: 32, height: 32 },
  cache: path.join(root, '.cache'),
});
const { train: trainRefs, validation } = splitDataset(refs, { validation: 0.2, seed: 1 });
const { samples: validationSamples } = await loadSamples(validation, { progress: false });
console.log(
  `${trainRefs.length} training samples (decoded while training), ${validationSamples.length} for validation`,
);

const result = await train({
  model: buildUnet({ inputShape: [32, 32, 1], depth: 2, filters: 8 }),
  data: toTfDataset(trainRefs, { batchSize: 8, augment: true, seed: 1 }),
  validationData: toTfDataset(validationSamples, { batchSize: 8, shuffle: false }),
  loss: bceDiceLoss,
  metrics: [diceCoefficient],
  epochs: 20,
  learningRate: 5e-3,
  progress: false,
});
console.log(`val Dice ${result.history.val_diceCoefficient.at(-1).toFixed(3)}`);
console.log('cache', refs[0].stats); // a second run decodes nothing: all cache hits
