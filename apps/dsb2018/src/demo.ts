import path from 'node:path';
import { BACKEND_FLAG, defineCommand, runSegmentationCli } from '@unet/cli';
import { dsb2018Recipe } from './recipe.js';
import { writeSyntheticNuclei } from './synthetic-nuclei.js';

/**
 * `demo`: the whole recipe end to end on data it generates (no download): writes a small
 * synthetic nuclei set in the DSB2018 layout, trains on it, and predicts masks with overlays.
 */
export const demoCommand = defineCommand({
  spec: {
    name: 'demo',
    summary:
      'generate a small nuclei-like dataset, train on it and predict (about 2 minutes on 2 cores)',
    flags: {
      out: {
        type: 'string',
        value: 'DIR',
        default: 'demo-output',
        help: 'where data/, run/ and predictions/ go',
      },
      epochs: { type: 'number', value: 'N', default: 30, help: 'training epochs' },
      images: { type: 'number', value: 'N', default: 40, help: 'synthetic images to generate' },
      backend: BACKEND_FLAG,
    },
  },
  async run(flags, log) {
    const out = path.resolve(flags.out);
    const data = path.join(out, 'data');
    const ids = await writeSyntheticNuclei(data, {
      count: flags.images,
      size: 96,
      seed: 7,
    });
    log(`demo: ${ids.length} synthetic images in ${data}`);
    const run = path.join(out, 'run');
    const common = ['--backend', flags.backend];
    const steps: string[][] = [
      [
        'train',
        '--data',
        data,
        '--out',
        run,
        '--epochs',
        String(flags.epochs),
        '--image-size',
        '64',
        '--batch-size',
        '8',
        '--patience',
        '0',
        ...common,
      ],
      [
        'evaluate',
        '--data',
        data,
        '--model',
        path.join(run, 'model'),
        '--split',
        path.join(run, 'split.json'),
        '--out',
        path.join(out, 'evaluation'),
        ...common,
      ],
      [
        'predict',
        '--input',
        path.join(data, ids[0]!, 'images'),
        '--model',
        path.join(run, 'model'),
        '--out',
        path.join(out, 'predictions'),
        '--overlay',
        ...common,
      ],
    ];
    for (const argv of steps) {
      log(`demo: ${dsb2018Recipe.program} ${argv.join(' ')}`);
      const code = await runSegmentationCli(dsb2018Recipe, argv, { log });
      if (code !== 0) throw new Error(`demo step '${argv[0]}' failed (exit ${code})`);
    }
    log(
      `demo: done. Model: ${path.join(run, 'model', 'model.json')}; prediction: ${path.join(out, 'predictions')}`,
    );
  },
});
