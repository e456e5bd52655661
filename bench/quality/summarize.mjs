// Writes bench/results/quality-<name>.json from a tfjs run and a Keras run of run-quality.sh.
//   node summarize.mjs RUNS NAME OUT.json
import fs from 'node:fs';

const [runs, name, out] = process.argv.slice(2);
const ours = JSON.parse(
  fs.readFileSync(`${runs}/${name}-tfjs/eval-model-size/metrics.json`, 'utf8'),
);
const full = JSON.parse(fs.readFileSync(`${runs}/${name}-tfjs/eval/metrics.json`, 'utf8'));
const cfg = JSON.parse(fs.readFileSync(`${runs}/${name}-tfjs/config.json`, 'utf8'));
const secs = Number(
  fs.readFileSync(`${runs}/${name}-tfjs/train-seconds.txt`, 'utf8').split('=')[1],
);
const keras = JSON.parse(fs.readFileSync(`${runs}/${name}-keras/metrics.json`, 'utf8'));
const result = {
  dataset: name,
  date: new Date().toISOString(),
  tfjs: {
    dice: ours.dice,
    iou: ours.iou,
    precision: ours.precision,
    recall: ours.recall,
    evaluated_at: ours.evaluated_at,
    images: ours.images,
    train_seconds: secs,
    config: cfg,
    at_original_size: {
      dice: full.dice,
      iou: full.iou,
      precision: full.precision,
      recall: full.recall,
      map: full.map,
      evaluated_at: full.evaluated_at,
    },
  },
  keras: {
    dice: keras.dice,
    iou: keras.iou,
    precision: keras.precision,
    recall: keras.recall,
    evaluated_at: 'model input size',
    epochs_run: keras.epochs_run,
    train_seconds: keras.train_seconds,
    tf_version: keras.tf_version,
  },
};
fs.writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
console.log(
  `${name}: tfjs dice ${ours.dice.toFixed(4)} iou ${ours.iou.toFixed(4)} (original size: dice ${full.dice.toFixed(4)}) (${secs}s) | keras dice ${keras.dice.toFixed(4)} iou ${keras.iou.toFixed(4)} (${Math.round(keras.train_seconds)}s)`,
);
