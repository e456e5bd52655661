// Writes bench/results/objects.json from the runs of run-objects.sh and prints its table.
//   node summarize-objects.mjs RUNS OUT.json
import fs from 'node:fs';
import path from 'node:path';

const [runs, out] = process.argv.slice(2);
if (!out) {
  console.error('usage: node summarize-objects.mjs RUNS OUT.json');
  process.exit(2);
}
const read = (...parts) => {
  const file = path.join(runs, ...parts);
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : null;
};
const seconds = (run) => {
  const file = path.join(runs, run, 'train-seconds.txt');
  return fs.existsSync(file) ? Number(fs.readFileSync(file, 'utf8')) : null;
};
const pick = (metrics, keys) =>
  metrics && Object.fromEntries(keys.filter((k) => k in metrics).map((k) => [k, metrics[k]]));

const PIXEL = ['dice', 'iou', 'precision', 'recall'];
const OBJECTS = [...PIXEL, 'map', 'map_split', 'split'];
const rows = [];
const entry = (run, evalDir, keys, label) => {
  const metrics = read(run, evalDir, 'metrics.json');
  if (!metrics) return;
  const config = read(run, 'config.json');
  rows.push({
    run,
    evaluation: evalDir,
    label,
    compile: config?.compile,
    targets: config?.targets ?? 'binary',
    train_seconds: seconds(run),
    ...pick(metrics, keys),
    ...(metrics.buildings ? { buildings: metrics.buildings } : {}),
  });
};
entry('dsb-binary', 'eval', OBJECTS, 'dsb2018 binary, compiled (default)');
entry('dsb-binary', 'eval-tta', PIXEL, 'dsb2018 binary, --tta d4');
entry('dsb-binary', 'eval-tuned', OBJECTS, 'dsb2018 binary, split tuned on val');
entry('dsb-instances', 'eval', OBJECTS, 'dsb2018 --targets instances');
entry('dsb-instances', 'eval-tuned', OBJECTS, 'dsb2018 --targets instances, split tuned on val');
entry('dsb-eager', 'eval', OBJECTS, 'dsb2018 binary, --compile off');
entry('dsb-256', 'eval', OBJECTS, 'dsb2018 binary at 256 px');
entry('dsb-256', 'eval-tuned', OBJECTS, 'dsb2018 binary at 256 px, split tuned on val');
entry('dsb-256', 'eval-tta', OBJECTS, 'dsb2018 binary at 256 px, --tta d4');
entry(
  'dsb-256',
  'eval-tta-tuned',
  OBJECTS,
  'dsb2018 binary at 256 px, --tta d4, split tuned on val',
);
entry('dsb-instances-256', 'eval', OBJECTS, 'dsb2018 --targets instances at 256 px');
entry(
  'dsb-instances-256',
  'eval-tuned',
  OBJECTS,
  'dsb2018 --targets instances at 256 px, split tuned on val',
);
entry('isbi', 'eval', PIXEL, 'isbi2012, compiled (default)');
entry('isbi', 'eval-tta', PIXEL, 'isbi2012, --tta d4');
entry('isbi-eager', 'eval', PIXEL, 'isbi2012, --compile off');
entry('spacenet', 'eval', PIXEL, 'spacenet held-out quadrant');
entry('spacenet', 'eval-tta', PIXEL, 'spacenet held-out quadrant, --tta d4');

fs.writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), rows }, null, 2)}\n`);
const f = (v) => (typeof v === 'number' ? v.toFixed(4) : '');
console.log('| run | Dice | map | map_split | building F1 | train s |');
console.log('|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(
    `| ${r.label} | ${f(r.dice)} | ${f(r.map)} | ${f(r.map_split)} | ${f(r.buildings?.f1)} | ${r.train_seconds ?? ''} |`,
  );
}
console.log(`written ${out}`);
