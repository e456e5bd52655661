/**
 * Assertions on the files the `train`, `evaluate` and `predict` commands write, shared by the
 * contract suite of @unet/cli and the four apps' CLI tests (each brings its own data, sizes, ids).
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { type CliResult, expectOk, pixelValues, pngSize, readCsv, readJson } from './files.js';

/** What the tests need of a loaded tfjs LayersModel. */
export interface LoadedModel {
  inputs: { shape: (number | null)[] }[];
  outputs: { shape: (number | null)[] }[];
  dispose(): void;
}

/**
 * OUT/model: every weights file the manifest names is non-empty, and `load` (the app's
 * `tf.loadLayersModel`) restores a model with these input and output shapes.
 */
export async function expectLoadableModel(
  modelDir: string,
  load: (url: string) => Promise<LoadedModel>,
  inputShape: (number | null)[],
  outputShape: (number | null)[],
): Promise<void> {
  const manifest = readJson<{ weightsManifest: { paths: string[] }[] }>(
    path.join(modelDir, 'model.json'),
  );
  for (const group of manifest.weightsManifest)
    for (const p of group.paths)
      expect(fs.statSync(path.join(modelDir, p)).size).toBeGreaterThan(0);
  const loaded = await load(`file://${path.join(modelDir, 'model.json')}`);
  try {
    expect(loaded.inputs[0]!.shape).toEqual(inputShape);
    expect(loaded.outputs[0]!.shape).toEqual(outputShape);
  } finally {
    loaded.dispose();
  }
}

/** history.csv: these columns, rows numbered 0..epochs-1, each complete with a finite val_loss. */
export function expectHistory(file: string, epochs: number, columns: string[]): void {
  const { header, rows } = readCsv(file);
  for (const column of columns) expect(header).toContain(column);
  expect(rows.map((r) => Number(r[header.indexOf('epoch')]))).toEqual(
    Array.from({ length: epochs }, (_, i) => i),
  );
  for (const row of rows) {
    expect(row).toHaveLength(header.length);
    expect(Number.isFinite(Number(row[header.indexOf('val_loss')]))).toBe(true);
  }
}

/** curves.png: a PNG larger than 100x100. */
export async function expectCurves(file: string): Promise<void> {
  const size = await pngSize(file);
  expect(size.format).toBe('png');
  expect(size.width).toBeGreaterThan(100);
  expect(size.height).toBeGreaterThan(100);
}

/**
 * An evaluate --out folder: metrics.json with each of `metricKeys` a number in [0, 1] and
 * `images` = the number of `names`; per_image.csv with the metric columns and one row per name.
 */
export function expectScored(dir: string, names: string[], metricKeys: string[] = []): void {
  const metrics = readJson<Record<string, number>>(path.join(dir, 'metrics.json'));
  for (const key of metricKeys) {
    expect(typeof metrics[key], key).toBe('number');
    expect(metrics[key]).toBeGreaterThanOrEqual(0);
    expect(metrics[key]).toBeLessThanOrEqual(1);
  }
  expect(metrics.images).toBe(names.length);
  const { header, rows } = readCsv(path.join(dir, 'per_image.csv'));
  expect(header.slice(0, 5)).toEqual(['name', 'dice', 'iou', 'precision', 'recall']);
  expect(rows.map((row) => row[0]).sort()).toEqual([...names].sort());
}

/** A predicted mask: a PNG of `size` (format, width, height) holding only 0 and 255. */
export async function expectBinaryMask(
  mask: string,
  size: { format?: string; width?: number; height?: number },
): Promise<void> {
  expect(await pngSize(mask)).toEqual(size);
  for (const v of await pixelValues(mask)) expect([0, 255]).toContain(v);
}

/**
 * `train --resume --epochs N` on a copy of a finished (N-1)-epoch run: only epoch N trained, the
 * history keeps the earlier rows and adds one, config.json records the resume.
 */
export function expectResumed(r: CliResult, before: string, after: string, epochs: number): void {
  expectOk(r);
  expect(r.stderr).toMatch(new RegExp(`epoch ${epochs}/${epochs}`));
  expect(r.stderr).not.toMatch(new RegExp(`epoch [1-${epochs - 1}]/${epochs}`));
  const old = readCsv(path.join(before, 'history.csv'));
  const now = readCsv(path.join(after, 'history.csv'));
  expect(now.header).toEqual(old.header);
  expect(now.rows.map((row) => Number(row[0]))).toEqual(
    Array.from({ length: epochs }, (_, i) => i),
  );
  expect(now.rows.slice(0, epochs - 1)).toEqual(old.rows);
  expect(readJson(path.join(after, 'config.json'))).toMatchObject({ epochs, resume: true });
}
