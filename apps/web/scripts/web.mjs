#!/usr/bin/env node
/**
 * `pnpm web`: serves the built page on 127.0.0.1 with the bundle of `pnpm demo` (trained and
 * exported first when missing), so `http://127.0.0.1:4173/?bundle=bundle/` segments images at once.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';

const appDir = path.resolve(import.meta.dirname, '..');
const root = path.resolve(appDir, '../..');
const demo = path.join(root, 'demo-output');
const model = path.join(demo, 'run', 'model');
const bundle = path.join(demo, 'bundle');
const port = process.env.PORT ?? '4173';

function run(command, args, cwd = root) {
  console.log(`web: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { cwd, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

if (!existsSync(path.join(model, 'model.json'))) run('pnpm', ['demo']);
if (!existsSync(path.join(bundle, 'unet.json'))) {
  const metrics = path.join(demo, 'evaluation', 'metrics.json');
  const cli = path.join(root, 'apps', 'dsb2018', 'dist', 'cli.js');
  run('node', [
    cli,
    'export',
    '--model',
    model,
    '--out',
    bundle,
    ...(existsSync(metrics) ? ['--metrics', metrics] : []),
  ]);
}
// vite preview serves dist/ only: the bundle goes beside the page.
await fs.rm(path.join(appDir, 'dist', 'bundle'), { recursive: true, force: true });
await fs.cp(bundle, path.join(appDir, 'dist', 'bundle'), { recursive: true });
console.log(`web: open http://127.0.0.1:${port}/?bundle=bundle/ (Ctrl-C stops)`);
const vite = path.join(appDir, 'node_modules', '.bin', 'vite');
const server = spawn(vite, ['preview', '--host', '127.0.0.1', '--port', port, '--strictPort'], {
  cwd: appDir,
  stdio: 'inherit',
});
server.on('exit', (code) => process.exit(code ?? 0));
