// Writes bench/results/camvid.json from run-camvid.sh's runs and prints the README's table.
//   node summarize-camvid.mjs OURS_RUN KERAS_TWIN.json OUT.json
import fs from 'node:fs';
import path from 'node:path';

const [ours, twinFile, out] = process.argv.slice(2);
if (!out) {
  console.error('usage: node summarize-camvid.mjs OURS_RUN KERAS_TWIN.json OUT.json');
  process.exit(2);
}
const json = (file) => JSON.parse(fs.readFileSync(file, 'utf8'));
const test = json(path.join(ours, 'eval', 'metrics.json'));
const valFile = path.join(ours, 'eval-val', 'metrics.json');
const val = fs.existsSync(valFile) ? json(valFile) : null;
const config = json(path.join(ours, 'config.json'));
const seconds = Number(fs.readFileSync(path.join(ours, 'train-seconds.txt'), 'utf8'));
const twin = json(twinFile);

const perClassIou = (m) =>
  Object.fromEntries(
    Object.entries(m.per_class).map(([name, v]) => [name, typeof v === 'number' ? v : v.iou]),
  );
const result = {
  date: new Date().toISOString(),
  subset: 'test',
  ours: {
    miou: test.miou,
    pixel_accuracy: test.pixel_accuracy,
    per_class_iou: perClassIou(test),
    val_miou: val?.miou ?? null,
    train_seconds: seconds,
    settings: {
      epochs: config.epochs,
      imageSize: config.imageSize,
      batchSize: config.batchSize,
      classWeights: config.classWeights,
      compile: config.compile,
    },
  },
  keras_twin: {
    miou: twin.miou,
    pixel_accuracy: twin.pixel_accuracy,
    per_class_iou: perClassIou(twin),
    train_seconds: twin.training_seconds,
    best_epoch: twin.best_epoch ?? null,
  },
};
fs.writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
const f = (v) => (typeof v === 'number' ? v.toFixed(3) : '');
console.log('| test split (233 images, 360x480) | unet-camvid (defaults) | Keras twin |');
console.log('|---|---|---|');
console.log(`| mean IoU (11 classes) | ${f(result.ours.miou)} | ${f(twin.miou)} |`);
console.log(`| pixel accuracy | ${f(test.pixel_accuracy)} | ${f(twin.pixel_accuracy)} |`);
for (const name of Object.keys(result.ours.per_class_iou)) {
  console.log(
    `| ${name} IoU | ${f(result.ours.per_class_iou[name])} | ${f(result.keras_twin.per_class_iou[name])} |`,
  );
}
const min = (s) => (typeof s === 'number' ? `${Math.round(s / 60)} min` : '');
console.log(`| training time | ${min(seconds)} | ${min(twin.training_seconds)} |`);
