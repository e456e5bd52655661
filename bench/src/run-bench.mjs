// `pnpm bench`: tfjs-node vs Keras on the same models, data and batch sizes, alternating the two
// in every round to spread the noise of a shared machine; ratios are medians over rounds.
// Writes results/latest.json and prints a table.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuFlags, cpuHasNativeBfloat16 } from '@unet/runtime';

const here = path.dirname(fileURLToPath(import.meta.url));
const benchDir = path.resolve(here, '..');
const repoRoot = path.resolve(benchDir, '..');

// `id` keys the results (latest.json keeps the preset names of the first three cases). Steps and
// rounds are sized so that a whole `pnpm bench` (4 frameworks, 2 rounds) takes about 12 minutes
// on the 2-core machine: paper at 256 px is most of it.
const CASES = [
  { id: 'dsb2018', model: 'dsb2018', size: 128, batchSize: 16, steps: 8, inferBatches: 16 },
  { id: 'satellite', model: 'satellite', size: 128, batchSize: 16, steps: 8, inferBatches: 16 },
  { id: 'paper', model: 'paper', size: 256, batchSize: 4, steps: 3, inferBatches: 4 },
  // Images per second per core at the size the DSB2018 images are closest to.
  { id: 'dsb2018_256', model: 'dsb2018', size: 256, batchSize: 8, steps: 6, inferBatches: 6 },
]
  .filter((c) => !process.env.BENCH_MODELS || process.env.BENCH_MODELS.split(',').includes(c.id))
  .map((c) => ({
    ...c,
    // A tiny configuration to check the scripts: BENCH_STEPS=1 BENCH_SIZE=32 BENCH_ROUNDS=1.
    steps: Number(process.env.BENCH_STEPS ?? c.steps),
    inferBatches: Number(process.env.BENCH_STEPS ?? c.inferBatches),
    size: Number(process.env.BENCH_SIZE ?? c.size),
  }));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const CORES = os.availableParallelism();

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
    '--infer-batches',
    String(c.inferBatches),
  ];
}

const kerasPython = execFileSync('bash', [path.join(repoRoot, 'scripts', 'keras-venv.sh')], {
  encoding: 'utf8',
}).trim();
// The apps' default on the tensorflow backend (`--compile auto` of @unet/cli resolves to it):
// bf16 where the CPU multiplies bfloat16 natively, fp32 elsewhere (where a bf16 request
// compiles fp32, so there is no bf16 row).
const NATIVE_BF16 = cpuHasNativeBfloat16();
const DEFAULT_COMPILE = NATIVE_BF16 ? 'bf16' : 'fp32';
// What each framework runs: 'tfjs-node' is the apps' default mode, 'keras' Keras fp32 (the
// reference of every ratio), 'keras-bf16' Keras under the mixed_bfloat16 policy (bfloat16
// compute, float32 variables: the fair twin of the compiled bf16 step).
const FRAMEWORK_ARGS = {
  'tfjs-node': { tfjs: ['--compile', DEFAULT_COMPILE] },
  'tfjs-node-fp32': { tfjs: ['--compile', 'fp32'] },
  // The toolkit eager (tfjs dispatching op by op): what the apps ran before --compile.
  'tfjs-node-eager': { tfjs: ['--compile', 'off'] },
  // This toolkit without its native kernels and without freeing gradients during
  // backpropagation, with tfjs's own Adam: plain tfjs-node, the "before" of every change.
  'tfjs-node-baseline': {
    tfjs: ['--compile', 'off'],
    env: { UNET_NATIVE_KERNELS: '0', UNET_TAPE_RELEASE: '0' },
  },
  keras: { keras: ['--policy', 'float32'] },
  'keras-bf16': { keras: ['--policy', 'mixed_bfloat16'] },
};
// The fp32 figures are the default's when the default is fp32 (no second run); the bf16 ones
// are the default's, or absent.
const FP32 = DEFAULT_COMPILE === 'fp32' ? 'tfjs-node' : 'tfjs-node-fp32';
const BF16 = NATIVE_BF16 ? 'tfjs-node' : null;
// Eager and plain tfjs-node are opt-in (BENCH_EAGER=1, BENCH_BASELINE=1): each adds a third to
// the run time.
const EAGER = process.env.BENCH_EAGER === '1';
const BASELINE = process.env.BENCH_BASELINE === '1';
const FRAMEWORKS = [
  'tfjs-node',
  ...(FP32 === 'tfjs-node' ? [] : [FP32]),
  'keras',
  // Keras's twin of our bf16, skipped where we have no bf16 (emulated, it took minutes a step).
  ...(BF16 ? ['keras-bf16'] : []),
  ...(EAGER ? ['tfjs-node-eager'] : []),
  ...(BASELINE ? ['tfjs-node-baseline'] : []),
];
const runs = Object.fromEntries(FRAMEWORKS.map((f) => [f, {}]));
const tfjsScript = path.join(here, 'tfjs-throughput.mjs');
const benchStart = Date.now();
for (let round = 1; round <= ROUNDS; round++) {
  for (const c of CASES) {
    // Rotate the order every round so no framework always runs first (or right after another).
    const order = FRAMEWORKS.map((_, i) => FRAMEWORKS[(i + round) % FRAMEWORKS.length]);
    for (const framework of order) {
      const what = `${framework} ${c.id}@${c.size} round ${round}`;
      process.stderr.write(`[bench] ${what}\n`);
      const spec = FRAMEWORK_ARGS[framework];
      const started = Date.now();
      const result = spec.keras
        ? runChild(
            kerasPython,
            [path.join(benchDir, 'keras', 'throughput.py'), ...caseArgs(c), ...spec.keras],
            what,
          )
        : runChild(process.execPath, [tfjsScript, ...caseArgs(c), ...spec.tfjs], what, spec.env);
      result.child_wall_seconds = (Date.now() - started) / 1000;
      runs[framework][c.id] = [...(runs[framework][c.id] ?? []), result];
    }
  }
}

const field = (framework, id, key) => runs[framework][id].map((r) => r[key]);
/** Median over rounds of `framework`'s figure over `reference`'s in the same round. */
const ratio = (id, key, framework = 'tfjs-node', reference = 'keras') => {
  const perRound = field(framework, id, key).map((v, i) => v / field(reference, id, key)[i]);
  return median(perRound);
};
const summary = {
  date: new Date().toISOString(),
  rounds: ROUNDS,
  cases: CASES,
  cores: CORES,
  // Which CPU the figures belong to: the vector units decide most of them.
  cpu: {
    model: os.cpus()[0]?.model ?? 'unknown',
    flags: ['avx2', 'fma', 'avx512f', 'avx512_bf16', 'amx_bf16'].filter((f) => cpuFlags().has(f)),
  },
  default_compile: DEFAULT_COMPILE,
  // The apps' default mode (DEFAULT_COMPILE) vs Keras fp32.
  train_ratio_vs_keras: {},
  infer_ratio_vs_keras: {},
  rss_ratio_vs_keras: {},
  // Compiled fp32 vs Keras fp32.
  train_ratio_vs_keras_fp32: {},
  infer_ratio_vs_keras_fp32: {},
  rss_ratio_vs_keras_fp32: {},
  // Compiled bf16 vs Keras under the mixed_bfloat16 policy.
  train_ratio_vs_keras_bf16: {},
  infer_ratio_vs_keras_bf16: {},
  rss_ratio_vs_keras_bf16: {},
  // Inference against Keras's model.predict (one call per batch) rather than predict_on_batch.
  infer_ratio_vs_keras_predict: {},
  // Images per second divided by the schedulable cores, per framework (dsb2018 at 256 px).
  images_per_s_per_core: {},
  medians: {},
  wall_seconds: 0,
  runs,
};
const RATIO_KEYS = [
  ['train', 'train_images_per_s'],
  ['infer', 'infer_images_per_s'],
  ['rss', 'peak_rss_mb'],
];
for (const f of ['eager', 'baseline']) {
  if (!FRAMEWORKS.includes(`tfjs-node-${f}`)) continue;
  for (const [name] of RATIO_KEYS) summary[`${f}_${name}_ratio_vs_keras`] = {};
}
for (const c of CASES) {
  for (const [name, key] of RATIO_KEYS) {
    summary[`${name}_ratio_vs_keras`][c.id] = ratio(c.id, key);
    summary[`${name}_ratio_vs_keras_fp32`][c.id] = ratio(c.id, key, FP32);
    if (BF16) summary[`${name}_ratio_vs_keras_bf16`][c.id] = ratio(c.id, key, BF16, 'keras-bf16');
    for (const f of ['eager', 'baseline']) {
      if (FRAMEWORKS.includes(`tfjs-node-${f}`))
        summary[`${f}_${name}_ratio_vs_keras`][c.id] = ratio(c.id, key, `tfjs-node-${f}`);
    }
  }
  summary.infer_ratio_vs_keras_predict[c.id] = median(
    field('tfjs-node', c.id, 'infer_images_per_s').map(
      (v, i) => v / field('keras', c.id, 'infer_predict_images_per_s')[i],
    ),
  );
  summary.medians[c.id] = Object.fromEntries(
    FRAMEWORKS.map((f) => [
      f,
      Object.fromEntries(
        ['train_images_per_s', 'infer_images_per_s', 'peak_rss_mb', 'child_wall_seconds'].map(
          (k) => [k, median(field(f, c.id, k))],
        ),
      ),
    ]),
  );
}
const perCoreCase = CASES.find((c) => c.id === 'dsb2018_256');
if (perCoreCase) {
  summary.images_per_s_per_core[perCoreCase.id] = Object.fromEntries(
    FRAMEWORKS.map((f) => {
      const m = summary.medians[perCoreCase.id][f];
      return [f, { train: m.train_images_per_s / CORES, infer: m.infer_images_per_s / CORES }];
    }),
  );
}

const pipelineScript = path.join(here, 'tfjs-pipeline.mjs');
if (fs.existsSync(pipelineScript) && !process.env.BENCH_SKIP_PIPELINE) {
  process.stderr.write('[bench] data pipeline vs in-memory epoch time\n');
  summary.pipeline = runChild(process.execPath, [pipelineScript], 'pipeline');
}

summary.wall_seconds = (Date.now() - benchStart) / 1000;
// BENCH_OUT: somewhere else than the committed results (e.g. for a tiny check run).
const out = process.env.BENCH_OUT
  ? path.resolve(process.env.BENCH_OUT)
  : path.join(benchDir, 'results', 'latest.json');
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(`${out}.tmp`, `${JSON.stringify(summary, null, 2)}\n`);
fs.renameSync(`${out}.tmp`, out);

const fmt = (v, d = 2) => (typeof v === 'number' ? v.toFixed(d) : '-');
// One row per case and framework; ratios against Keras fp32 (the bf16 default's against
// mixed_bfloat16 are in the summary lines below).
console.log(
  'case         size batch framework           | train img/s  ratio | infer img/s  ratio | peak RSS MB ratio',
);
for (const c of CASES) {
  for (const f of FRAMEWORKS) {
    const m = summary.medians[c.id][f];
    const label = f === 'tfjs-node' ? `tfjs-node (${DEFAULT_COMPILE})` : f;
    const vs = f.startsWith('keras') ? null : 'keras';
    const r = (key) => (vs ? fmt(ratio(c.id, key, f, vs)) : '');
    console.log(
      `${c.id.padEnd(12)} ${String(c.size).padStart(4)} ${String(c.batchSize).padStart(5)} ${label.padEnd(19)} | ` +
        `${fmt(m.train_images_per_s, 1).padStart(11)} ${r('train_images_per_s').padStart(6)} | ` +
        `${fmt(m.infer_images_per_s, 1).padStart(11)} ${r('infer_images_per_s').padStart(6)} | ` +
        `${fmt(m.peak_rss_mb, 0).padStart(11)} ${r('peak_rss_mb').padStart(5)}`,
    );
  }
}
for (const c of CASES) {
  console.log(
    `${c.id.padEnd(12)} default (${DEFAULT_COMPILE}) vs Keras fp32: train ${fmt(summary.train_ratio_vs_keras[c.id])}x, infer ${fmt(summary.infer_ratio_vs_keras[c.id])}x, RSS ${fmt(summary.rss_ratio_vs_keras[c.id])}x; ` +
      `bf16 vs Keras mixed_bfloat16: train ${fmt(summary.train_ratio_vs_keras_bf16[c.id])}x, infer ${fmt(summary.infer_ratio_vs_keras_bf16[c.id])}x, RSS ${fmt(summary.rss_ratio_vs_keras_bf16[c.id])}x; ` +
      `inference vs Keras model.predict: ${fmt(summary.infer_ratio_vs_keras_predict[c.id])}x`,
  );
}
for (const [id, byFramework] of Object.entries(summary.images_per_s_per_core)) {
  const parts = Object.entries(byFramework).map(
    ([f, v]) => `${f} train ${fmt(v.train, 2)} infer ${fmt(v.infer, 2)}`,
  );
  console.log(`${id} images/s per core (${CORES} cores): ${parts.join('; ')}`);
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
console.log(
  `bench took ${(summary.wall_seconds / 60).toFixed(1)} min; written ${path.relative(repoRoot, out)}`,
);
