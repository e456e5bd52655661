// Writes the held-out (bottom-right) quadrant of the SpaceNet scene as a scene of its own, for the
// building score of `evaluate` on pixels no training tile saw: the scene stretched as the reader
// stretches it for training (whole-scene percentiles), cropped to x, y >= 450 and saved as an
// 8-bit PNG (quantisation <= 1/510), with the footprints whose vertex centroid lies in the
// quadrant, shifted into its pixel coordinates (border buildings keep their full outline).
//   node make-quadrant-scene.mjs SCENE.tif POLYGONS_PX.geojson OUT_DIR
import fs from 'node:fs';
import path from 'node:path';
import { decodeSatelliteImage, encodePng } from '@unet/data';

const [tif, polygons, out] = process.argv.slice(2);
if (!out) {
  console.error('usage: node make-quadrant-scene.mjs SCENE.tif POLYGONS_PX.geojson OUT_DIR');
  process.exit(2);
}
const HALF = 450;
const scene = await decodeSatelliteImage(tif, { channels: 1 });
const width = scene.width - HALF;
const height = scene.height - HALF;
const data = new Float32Array(width * height);
for (let y = 0; y < height; y++)
  for (let x = 0; x < width; x++)
    data[y * width + x] = scene.data[(y + HALF) * scene.width + x + HALF];
await encodePng(path.join(out, 'images', 'quadrant.png'), { data, width, height, channels: 1 });
const geojson = JSON.parse(fs.readFileSync(polygons, 'utf8'));
const shift = (c) => (typeof c[0] === 'number' ? [c[0] - HALF, c[1] - HALF] : c.map(shift));
const kept = geojson.features.filter((f) => {
  const pts = f.geometry.coordinates.flat(f.geometry.type === 'MultiPolygon' ? 2 : 1);
  const cx = pts.reduce((s, p) => s + p[0], 0) / pts.length;
  const cy = pts.reduce((s, p) => s + p[1], 0) / pts.length;
  return cx >= HALF && cy >= HALF;
});
const features = kept.map((f) => ({
  ...f,
  geometry: { ...f.geometry, coordinates: shift(f.geometry.coordinates) },
}));
fs.mkdirSync(path.join(out, 'polygons'), { recursive: true });
fs.writeFileSync(
  path.join(out, 'polygons', 'quadrant.geojson'),
  JSON.stringify({ type: 'FeatureCollection', features }),
);
console.log(
  `${width}x${height} quadrant, ${features.length} of ${geojson.features.length} footprints -> ${out}`,
);
