// Adds up the vitest JSON reports of every package into one closing line: "N passed, N failed".
import fs from 'node:fs';
import path from 'node:path';

const roots = ['packages', 'apps', 'tests'].filter((d) => fs.existsSync(d));
let passed = 0;
let failed = 0;
let skipped = 0;
const packageDirs = roots.flatMap((root) =>
  fs.readdirSync(root).map((name) => path.join(root, name)),
);
// Workspace packages that are a single folder at the root.
if (fs.existsSync('examples')) packageDirs.push('examples');
for (const dir of packageDirs) {
  const report = path.join(dir, 'test-results.json');
  if (!fs.existsSync(report)) continue;
  const json = JSON.parse(fs.readFileSync(report, 'utf8'));
  passed += json.numPassedTests;
  failed += json.numFailedTests;
  skipped += json.numPendingTests + (json.numTodoTests ?? 0);
  console.log(`${report}: ${json.numPassedTests} passed, ${json.numFailedTests} failed`);
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
