// Adds up the vitest JSON reports of every package into one closing line: "N passed, N failed".
import fs from 'node:fs';
import path from 'node:path';

const roots = ['packages', 'apps', 'tests'].filter((d) => fs.existsSync(d));
let passed = 0;
let failed = 0;
let skipped = 0;
for (const root of roots) {
  for (const name of fs.readdirSync(root)) {
    const report = path.join(root, name, 'test-results.json');
    if (!fs.existsSync(report)) continue;
    const json = JSON.parse(fs.readFileSync(report, 'utf8'));
    passed += json.numPassedTests;
    failed += json.numFailedTests;
    skipped += json.numPendingTests + (json.numTodoTests ?? 0);
    console.log(`${report}: ${json.numPassedTests} passed, ${json.numFailedTests} failed`);
  }
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
