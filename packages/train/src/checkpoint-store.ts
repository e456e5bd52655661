/**
 * Crash-safe writing of checkpoint folders and files.
 *
 * A checkpoint folder `dir` is never modified in place. A new version is written into a
 * temporary sibling (`.<name>.tmp-<pid>-<n>`), every file and the folder are fsynced, then the
 * current `dir` is renamed to `.<name>.old`, the temporary folder is renamed to `dir`, the parent
 * folder is fsynced and only then `.<name>.old` is removed. A process killed at any moment
 * therefore leaves either `dir` complete or (killed between the two renames) `.<name>.old`
 * complete; {@link resolveCheckpointDir} finds whichever holds the last complete version.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

/** One file of a checkpoint: a name inside the folder and its bytes (or UTF-8 text). */
export interface CheckpointFile {
  name: string;
  data: Uint8Array | string;
}

function siblings(dir: string) {
  const parent = path.dirname(path.resolve(dir));
  const base = path.basename(path.resolve(dir));
  return {
    parent,
    base,
    old: path.join(parent, `.${base}.old`),
    tmpPrefix: `.${base}.tmp-`,
  };
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.access(p);
    return true;
  } catch {
    return false;
  }
}

/** fsync a folder so renames and new entries in it survive power loss (no-op where unsupported). */
async function syncDir(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch {
    // Windows and some file systems cannot fsync folders; the renames are still atomic.
  } finally {
    await handle?.close();
  }
}

/** Writes `data` to `file` and fsyncs it before returning. */
async function writeSynced(file: string, data: Uint8Array | string): Promise<void> {
  const handle = await fs.open(file, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

let counter = 0;

function tempName(prefix: string): string {
  counter += 1;
  return `${prefix}${process.pid}-${counter}-${randomBytes(3).toString('hex')}`;
}

/**
 * Puts the folder back into a clean state after an interrupted write: brings `.<name>.old` back
 * when `dir` is missing, drops it when `dir` is complete, and removes stale temporary folders.
 */
async function recover(dir: string): Promise<void> {
  const { parent, old, tmpPrefix } = siblings(dir);
  const hasDir = await exists(dir);
  if (await exists(old)) {
    if (hasDir) await fs.rm(old, { recursive: true, force: true });
    else await fs.rename(old, dir);
  }
  const entries = await fs.readdir(parent).catch(() => [] as string[]);
  await Promise.all(
    entries
      .filter((name) => name.startsWith(tmpPrefix))
      .map((name) => fs.rm(path.join(parent, name), { recursive: true, force: true })),
  );
}

/**
 * Atomically replaces the folder `dir` with one holding exactly `files`. The previous version
 * stays readable until the new one is complete on disk. One writer per folder at a time.
 */
export async function writeCheckpointDir(dir: string, files: CheckpointFile[]): Promise<void> {
  const { parent, old, tmpPrefix } = siblings(dir);
  await fs.mkdir(parent, { recursive: true });
  await recover(dir);
  const tmp = path.join(parent, tempName(tmpPrefix));
  await fs.mkdir(tmp);
  try {
    for (const file of files) {
      if (file.name.includes('/') || file.name.includes('\\') || file.name.startsWith('.')) {
        throw new Error(`checkpoint file name '${file.name}' must be a plain file name`);
      }
      await writeSynced(path.join(tmp, file.name), file.data);
    }
    await syncDir(tmp);
  } catch (error) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw error;
  }
  const hadDir = await exists(dir);
  if (hadDir) await fs.rename(dir, old);
  await fs.rename(tmp, dir);
  await syncDir(parent);
  if (hadDir) await fs.rm(old, { recursive: true, force: true });
}

/**
 * The folder holding the last complete version of checkpoint `dir`: `dir` itself, or its
 * `.<name>.old` sibling when a writer was killed between its two renames; `null` when there is
 * none. Does not modify anything.
 */
export async function resolveCheckpointDir(dir: string): Promise<string | null> {
  if (await exists(dir)) return path.resolve(dir);
  const { old } = siblings(dir);
  if (await exists(old)) return old;
  return null;
}

/**
 * Atomically replaces a single file (temporary sibling, fsync, rename, fsync of the folder).
 * Readers see the old or the new content, never a mix.
 */
export async function writeFileAtomic(file: string, data: Uint8Array | string): Promise<void> {
  const target = path.resolve(file);
  const parent = path.dirname(target);
  await fs.mkdir(parent, { recursive: true });
  const tmp = path.join(parent, tempName(`.${path.basename(target)}.tmp-`));
  try {
    await writeSynced(tmp, data);
    await fs.rename(tmp, target);
  } catch (error) {
    await fs.rm(tmp, { force: true });
    throw error;
  }
  await syncDir(parent);
}

/** Appends `text` to `file` and fsyncs it (creates the file and its folder when missing). */
export async function appendSynced(file: string, text: string): Promise<void> {
  await fs.mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const handle = await fs.open(file, 'a');
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
}
