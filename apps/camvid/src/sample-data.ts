// Test support: CamVid images of ../shared/data/camvid, linked file by file into a temp folder.
import fs from 'node:fs';
import path from 'node:path';
import { linkFile } from '@unet/cli-test-support';

/** Links the first `count` images of `subset` of `camvid` with their annotations under `dir`. */
export function linkSubset(camvid: string, dir: string, subset: string, count: number): string[] {
  const names = fs
    .readdirSync(path.join(camvid, subset))
    .filter((f) => f.endsWith('.png'))
    .sort()
    .slice(0, count);
  for (const name of names) {
    linkFile(path.join(camvid, subset, name), path.join(dir, subset, name));
    linkFile(path.join(camvid, `${subset}annot`, name), path.join(dir, `${subset}annot`, name));
  }
  return names.map((n) => n.replace(/\.png$/, ''));
}
