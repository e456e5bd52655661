// `pnpm bench`: tfjs-node vs Keras on the same models, data and batch sizes, alternating the two
// in every round to spread the noise of a shared machine; ratios are medians over rounds.
// Writes results/latest.json and prints a table.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const benchDir = path.resolve(here, '..');
const repoRoot = path.resolve(benchDir, '..');

const CASES = [
  { model: 'dsb2018', size: 128, batchSize: 16, steps: 10 },
  { model: 'satellite', size: 128, batchSize: 16, steps: 10 },
  { model: 'paper', size: 256, batchSize: 4, steps: 6 },
].filter((c) => !process.env.BENCH_MODELS || process.env.BENCH_MODELS.split(',').includes(c.model));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function lastJsonLine(stdout, what) {
  const line = stdout
    .trim()
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{'));
  if (!line) throw new Error(`${what} printed no JSON result`);
  return JSON.parse(line);
}

function runChild(command, args, what, extraEnv = {}) {
  const result = spawnSync(command, args, {
    cwd: benchDir,
    encoding: 'utf8',
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2', ...extraEnv },
    maxBuffer: 16 * 1024 * 1024,
  });
  if (result.status !== 0)
    throw new Error(`${what} failed (exit ${result.status}):\n${result.stderr.slice(-2000)}`);
  return lastJsonLine(result.stdout, what);
}

function caseArgs(c) {
  return [
    '--model',
    c.model,
    '--size',
    String(c.size),
    '--batch-size',
    String(c.batchSize),
    '--steps',
    String(c.steps),
  ];
}

const kerasPython = execFileSync('bash', [path.join(repoRoot, 'scripts', 'keras-venv.sh')], {
  encoding: 'utf8',
}).trim();
// 'tfjs-node-baseline' is this toolkit without its native kernels and without freeing gradients
// during backpropagation (UNET_NATIVE_KERNELS=0, UNET_TAPE_RELEASE=0), with tfjs's own Adam: plain tfjs-node, the
// "before" of every change, measured in the same rounds.
const BASELINE = process.env.BENCH_BASELINE !== '0';
const FRAMEWORKS = ['tfjs-node', 'keras', ...(BASELINE ? ['tfjs-node-baseline'] : [])];
const runs = Object.fromEntries(FRAMEWORKS.map((f) => [f, {}]));
const tfjsScript = path.join(here, 'tfjs-throughput.mjs');
for (let round = 1; round <= ROUNDS; round++) {
  for (const c of CASES) {
    // Rotate the order every round so no framework always runs first (or right after another).
    const order = FRAMEWORKS.map((_, i) => FRAMEWORKS[(i + round) % FRAMEWORKS.length]);
    for (const framework of order) {
      const what = `${framework} ${c.model}@${c.size} round ${round}`;
      process.stderr.write(`[bench] ${what}\n`);
      const result =
        framework === 'keras'
          ? runChild(
              kerasPython,
              [path.join(benchDir, 'keras', 'throughput.py'), ...caseArgs(c)],
              what,
            )
          : runChild(
              process.execPath,
              [tfjsScript, ...caseArgs(c)],
              what,
              framework === 'tfjs-node-baseline'
                ? { UNET_NATIVE_KERNELS: '0', UNET_TAPE_RELEASE: '0' }
                : {},
            );
      runs[framework][c.model] = [...(runs[framework][c.model] ?? []), result];
    }
  }
}

const field = (framework, model, key) => runs[framework][model].map((r) => r[key]);
const ratio = (model, key, framework = 'tfjs-node') => {
  const perRound = field(framework, model, key).map((v, i) => v / field('keras', model, key)[i]);
  return median(perRound);
};
const summary = {
  date: new Date().toISOString(),
  rounds: ROUNDS,
  cases: CASES,
  train_ratio_vs_keras: {},
  infer_ratio_vs_keras: {},
  rss_ratio_vs_keras: {},
  // Inference against Keras's model.predict (one call per batch) rather than predict_on_batch.
  infer_ratio_vs_keras_predict: {},
  baseline_train_ratio_vs_keras: {},
  baseline_infer_ratio_vs_keras: {},
  baseline_rss_ratio_vs_keras: {},
  medians: {},
  runs,
};
for (const c of CASES) {
  summary.train_ratio_vs_keras[c.model] = ratio(c.model, 'train_images_per_s');
  summary.infer_ratio_vs_keras[c.model] = ratio(c.model, 'infer_images_per_s');
  summary.rss_ratio_vs_keras[c.model] = ratio(c.model, 'peak_rss_mb');
  summary.infer_ratio_vs_keras_predict[c.model] = median(
    field('tfjs-node', c.model, 'infer_images_per_s').map(
      (v, i) => v / field('keras', c.model, 'infer_predict_images_per_s')[i],
    ),
  );
  if (BASELINE) {
    summary.baseline_train_ratio_vs_keras[c.model] = ratio(
      c.model,
      'train_images_per_s',
      'tfjs-node-baseline',
    );
    summary.baseline_infer_ratio_vs_keras[c.model] = ratio(
      c.model,
      'infer_images_per_s',
      'tfjs-node-baseline',
    );
    summary.baseline_rss_ratio_vs_keras[c.model] = ratio(
      c.model,
      'peak_rss_mb',
      'tfjs-node-baseline',
    );
  }
  summary.medians[c.model] = Object.fromEntries(
    FRAMEWORKS.map((f) => [
      f,
      Object.fromEntries(
        ['train_images_per_s', 'infer_images_per_s', 'peak_rss_mb'].map((k) => [
          k,
          median(field(f, c.model, k)),
        ]),
      ),
    ]),
  );
}

const pipelineScript = path.join(here, 'tfjs-pipeline.mjs');
if (fs.existsSync(pipelineScript) && !process.env.BENCH_SKIP_PIPELINE) {
  process.stderr.write('[bench] data pipeline vs in-memory epoch time\n');
  summary.pipeline = runChild(process.execPath, [pipelineScript], 'pipeline');
}

fs.mkdirSync(path.join(benchDir, 'results'), { recursive: true });
const out = path.join(benchDir, 'results', 'latest.json');
fs.writeFileSync(`${out}.tmp`, `${JSON.stringify(summary, null, 2)}\n`);
fs.renameSync(`${out}.tmp`, out);

const fmt = (v, d = 2) => (typeof v === 'number' ? v.toFixed(d) : '-');
console.log(
  'model      size batch | train img/s tfjs keras ratio | infer img/s tfjs keras ratio | peak RSS MB tfjs keras ratio',
);
for (const c of CASES) {
  const m = summary.medians[c.model];
  console.log(
    `${c.model.padEnd(10)} ${String(c.size).padStart(4)} ${String(c.batchSize).padStart(5)} | ` +
      `${fmt(m['tfjs-node'].train_images_per_s, 1).padStart(16)} ${fmt(m.keras.train_images_per_s, 1).padStart(5)} ${fmt(summary.train_ratio_vs_keras[c.model]).padStart(5)} | ` +
      `${fmt(m['tfjs-node'].infer_images_per_s, 1).padStart(16)} ${fmt(m.keras.infer_images_per_s, 1).padStart(5)} ${fmt(summary.infer_ratio_vs_keras[c.model]).padStart(5)} | ` +
      `${fmt(m['tfjs-node'].peak_rss_mb, 0).padStart(16)} ${fmt(m.keras.peak_rss_mb, 0).padStart(5)} ${fmt(summary.rss_ratio_vs_keras[c.model]).padStart(5)}`,
  );
}
for (const c of CASES) {
  console.log(
    `${c.model.padEnd(10)} inference vs Keras model.predict (one call per batch): ${fmt(summary.infer_ratio_vs_keras_predict[c.model])}x`,
  );
}
if (BASELINE) {
  for (const c of CASES) {
    console.log(
      `${c.model.padEnd(10)} plain tfjs-node (before): train ${fmt(summary.baseline_train_ratio_vs_keras[c.model])}x, ` +
        `infer ${fmt(summary.baseline_infer_ratio_vs_keras[c.model])}x, RSS ${fmt(summary.baseline_rss_ratio_vs_keras[c.model])}x Keras`,
    );
  }
}
if (summary.pipeline?.pipeline_overhead_loaded !== undefined) {
  const p = summary.pipeline;
  const pct = (v) => `${(100 * v).toFixed(1)}%`;
  console.log(
    `data pipeline vs in-memory epoch time: loaded samples (the apps) +${pct(p.pipeline_overhead_loaded)}, ` +
      `lazy from the disk cache +${pct(p.pipeline_overhead_cached)}, decoding every epoch +${pct(p.pipeline_overhead_uncached)}; ` +
      `tensors over ${p.memory_over_epochs.epochs} epochs +${p.memory_over_epochs.tensor_growth}, RSS +${p.memory_over_epochs.rss_growth_mb_epoch2_to_last} MB`,
  );
}
if (summary.pipeline) console.log(`data pipeline: ${JSON.stringify(summary.pipeline)}`);
console.log(`written ${path.relative(repoRoot, out)}`);
