// Test support: the CamVid sample of ../shared/data/camvid, linked file by file into a temp folder.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { linkFile } from '@unet/cli-test-support';

export const appDir = fileURLToPath(new URL('..', import.meta.url));
export const camvidSample = path.resolve(appDir, '../../../shared/data/camvid');
export const hasCamvidSample = fs.existsSync(path.join(camvidSample, 'trainannot'));

/** Links the first `count` images of a subset with their annotations under `dir`; their ids. */
export function linkSubset(dir: string, subset: string, count: number): string[] {
  const names = fs
    .readdirSync(path.join(camvidSample, subset))
    .filter((f) => f.endsWith('.png'))
    .sort()
    .slice(0, count);
  for (const name of names) {
    linkFile(path.join(camvidSample, subset, name), path.join(dir, subset, name));
    linkFile(
      path.join(camvidSample, `${subset}annot`, name),
      path.join(dir, `${subset}annot`, name),
    );
  }
  return names.map((n) => n.replace(/\.png$/, ''));
}
