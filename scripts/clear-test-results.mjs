// Removes last run's vitest reports so the summary counts only this run.
import fs from 'node:fs';
import path from 'node:path';

for (const root of ['packages', 'apps', 'tests'].filter((d) => fs.existsSync(d))) {
  for (const name of fs.readdirSync(root)) {
    fs.rmSync(path.join(root, name, 'test-results.json'), { force: true });
  }
}
fs.rmSync(path.join('examples', 'test-results.json'), { force: true });
