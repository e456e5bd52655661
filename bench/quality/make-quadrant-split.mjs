// Writes the SpaceNet quadrant split: 128-px tiles of the 900x900 scene from the top-left,
// top-right and bottom-left quadrants train, the bottom-right quadrant's tiles validate. Tiles
// that straddle the quadrant borders (column or row 3, pixels 384..511) are left out, so no
// pixel of the validation quadrant is seen in training.
import fs from 'node:fs';

const [out, scene = 'atlanta'] = process.argv.slice(2);
if (!out) {
  console.error('usage: node make-quadrant-split.mjs OUT.json [SCENE_ID]');
  process.exit(2);
}
const TILE = 128;
const HALF = 450;
const train = [];
const val = [];
for (let row = 0; (row + 1) * TILE <= 900; row++) {
  for (let col = 0; (col + 1) * TILE <= 900; col++) {
    const left = (col + 1) * TILE <= HALF;
    const right = col * TILE >= HALF;
    const top = (row + 1) * TILE <= HALF;
    const bottom = row * TILE >= HALF;
    if (!(left || right) || !(top || bottom)) continue;
    (right && bottom ? val : train).push(`${scene}_x${col}_y${row}`);
  }
}
fs.writeFileSync(out, `${JSON.stringify({ train, val }, null, 2)}\n`);
console.log(`${train.length} training tiles, ${val.length} validation tiles -> ${out}`);
