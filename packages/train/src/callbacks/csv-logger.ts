import fs from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { appendSynced, writeFileAtomic } from '../checkpoint-store.js';
import { NON_METRIC_KEYS, type RawLogs, resolveLogs } from '../logs.js';

/** Options of {@link CSVLogger}. */
export interface CSVLoggerOptions {
  /** File to write (folders are created). */
  path: string;
  /**
   * Keep rows of earlier runs and append (default true). Rows for epochs at or after the first
   * epoch of this run are dropped first, so a resumed run never duplicates or skips an epoch.
   * With false the file starts empty.
   */
  append?: boolean;
  /** Field separator. Default `,`. */
  separator?: string;
}

interface CsvTable {
  header: string[];
  rows: string[][];
}

/**
 * Writes one row per epoch (`epoch` 0-based, then the logged metrics in alphabetical order), like
 * `tf.keras.callbacks.CSVLogger`. Every row is fsynced. Resume-safe: appending to an existing
 * log first drops rows from this run's first epoch onwards (and any half-written last line), and
 * a new metric column rewrites the file atomically with the extended header.
 */
export class CSVLogger extends tf.Callback {
  readonly path: string;
  readonly append: boolean;
  readonly separator: string;
  private table: CsvTable | null = null;
  private prepared = false;

  constructor(options: CSVLoggerOptions) {
    super();
    if (typeof options?.path !== 'string' || options.path === '') {
      throw new Error('CSVLogger: `path` (the CSV file to write) is required');
    }
    this.path = options.path;
    this.append = options.append ?? true;
    this.separator = options.separator ?? ',';
  }

  override async onTrainBegin(): Promise<void> {
    this.prepared = false;
    this.table = null;
  }

  override async onEpochBegin(epoch: number): Promise<void> {
    if (this.prepared) return;
    this.prepared = true;
    const existing = this.append ? await this.read() : null;
    if (existing === null) {
      this.table = null;
      await writeFileAtomic(this.path, '');
      return;
    }
    const epochColumn = existing.header.indexOf('epoch');
    const kept = existing.rows.filter((row) => Number(row[epochColumn]) < epoch);
    this.table = { header: existing.header, rows: kept };
    if (kept.length !== existing.rows.length || existing.dirty) await this.rewrite();
  }

  override async onEpochEnd(epoch: number, rawLogs?: RawLogs): Promise<void> {
    if (!this.prepared) await this.onEpochBegin(epoch);
    const logs = await resolveLogs(rawLogs);
    const keys = Object.keys(logs)
      .filter((k) => !NON_METRIC_KEYS.has(k))
      .sort();
    if (this.table === null) {
      this.table = { header: ['epoch', ...keys], rows: [] };
      await appendSynced(this.path, `${this.table.header.join(this.separator)}\n`);
    }
    const table = this.table;
    const added = keys.filter((k) => !table.header.includes(k));
    const row = (header: string[]) =>
      header.map((key) => (key === 'epoch' ? String(epoch) : key in logs ? String(logs[key]) : ''));
    if (added.length > 0) {
      table.header = [...table.header, ...added];
      table.rows = table.rows.map((r) => [...r, ...added.map(() => '')]);
      table.rows.push(row(table.header));
      await this.rewrite();
      return;
    }
    const line = row(table.header);
    table.rows.push(line);
    await appendSynced(this.path, `${line.join(this.separator)}\n`);
  }

  private async rewrite(): Promise<void> {
    const table = this.table!;
    const lines = [table.header, ...table.rows].map((r) => r.join(this.separator));
    await writeFileAtomic(this.path, `${lines.join('\n')}\n`);
  }

  /** Parses the existing file; drops malformed (e.g. half-written) lines. Null when absent/empty. */
  private async read(): Promise<(CsvTable & { dirty: boolean }) | null> {
    let text: string;
    try {
      text = await fs.readFile(this.path, 'utf8');
    } catch {
      return null;
    }
    const lines = text.split('\n');
    const complete = text.endsWith('\n');
    if (lines.at(-1) === '') lines.pop();
    const headerLine = lines.shift();
    if (headerLine === undefined || headerLine === '' || (!complete && lines.length === 0)) {
      return null;
    }
    const header = headerLine.split(this.separator);
    if (!header.includes('epoch')) {
      throw new Error(
        `${this.path}: not a training log (no 'epoch' column); move it away or use append: false`,
      );
    }
    let dirty = !complete;
    if (!complete) lines.pop();
    const rows: string[][] = [];
    for (const line of lines) {
      const fields = line.split(this.separator);
      if (
        fields.length === header.length &&
        Number.isInteger(Number(fields[header.indexOf('epoch')]))
      ) {
        rows.push(fields);
      } else {
        dirty = true;
      }
    }
    return { header, rows, dirty };
  }
}
