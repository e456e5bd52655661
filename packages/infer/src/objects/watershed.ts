/**
 * Marker-controlled watershed and the h-maxima markers it is usually seeded with, on typed arrays
 * (browser-safe). Used to split touching objects that a connected-component labelling merges.
 */

/** 4 = edge neighbours, 8 = edge and corner neighbours. */
export type Neighbourhood = 4 | 8;

const OFFSETS_8: readonly (readonly [number, number])[] = [
  [-1, -1],
  [0, -1],
  [1, -1],
  [-1, 0],
  [1, 0],
  [-1, 1],
  [0, 1],
  [1, 1],
];
const OFFSETS_4: readonly (readonly [number, number])[] = [
  [0, -1],
  [-1, 0],
  [1, 0],
  [0, 1],
];

/** Calls `visit(j)` for each in-image neighbour j of pixel i. */
export function forEachNeighbour(
  i: number,
  width: number,
  height: number,
  connectivity: Neighbourhood,
  visit: (j: number) => void,
): void {
  const x = i % width;
  const y = (i - x) / width;
  for (const [dx, dy] of connectivity === 8 ? OFFSETS_8 : OFFSETS_4) {
    const nx = x + dx;
    const ny = y + dy;
    if (nx >= 0 && ny >= 0 && nx < width && ny < height) visit(ny * width + nx);
  }
}

/**
 * Min-heap of pixels by (priority, insertion order): among equal priorities the pixel queued first
 * leaves first, which makes flooding of plateaus grow evenly from all markers (as skimage does)
 * instead of one marker running across the whole plateau.
 */
class PixelQueue {
  private priority = new Float64Array(1024);
  private order = new Float64Array(1024);
  private pixel = new Int32Array(1024);
  size = 0;
  private counter = 0;

  private less(a: number, b: number): boolean {
    const pa = this.priority[a]!;
    const pb = this.priority[b]!;
    return pa < pb || (pa === pb && this.order[a]! < this.order[b]!);
  }

  private swap(a: number, b: number): void {
    for (const array of [this.priority, this.order, this.pixel]) {
      const t = array[a]!;
      array[a] = array[b]!;
      array[b] = t;
    }
  }

  push(pixel: number, priority: number): void {
    if (this.size === this.pixel.length) {
      const grow = <T extends Float64Array | Int32Array>(a: T, make: (n: number) => T): T => {
        const b = make(a.length * 2);
        b.set(a);
        return b;
      };
      this.priority = grow(this.priority, (n) => new Float64Array(n));
      this.order = grow(this.order, (n) => new Float64Array(n));
      this.pixel = grow(this.pixel, (n) => new Int32Array(n));
    }
    let i = this.size++;
    this.priority[i] = priority;
    this.order[i] = this.counter++;
    this.pixel[i] = pixel;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  pop(): number {
    const top = this.pixel[0]!;
    this.size--;
    if (this.size > 0) {
      this.swap(0, this.size);
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < this.size && this.less(l, m)) m = l;
        if (r < this.size && this.less(r, m)) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
    return top;
  }
}

/**
 * Grows `markers` (0 = unlabelled, >0 = marker label) over the pixels where `mask` is non-zero,
 * lowest `surface` value first, each pixel taking the label of the neighbour that reached it.
 * Pixels of the mask that no marker can reach stay 0.
 */
export function watershed(
  surface: ArrayLike<number>,
  markers: ArrayLike<number>,
  mask: ArrayLike<number>,
  width: number,
  height: number,
  connectivity: Neighbourhood = 8,
): Int32Array {
  const n = width * height;
  for (const [name, a] of [
    ['surface', surface],
    ['markers', markers],
    ['mask', mask],
  ] as const) {
    if (a.length !== n)
      throw new Error(`${name} has ${a.length} values, expected ${width}*${height}`);
  }
  const labels = new Int32Array(n);
  const queue = new PixelQueue();
  for (let i = 0; i < n; i++) {
    if (markers[i]! > 0 && mask[i]) {
      labels[i] = markers[i]!;
      queue.push(i, surface[i]!);
    }
  }
  while (queue.size > 0) {
    const p = queue.pop();
    const label = labels[p]!;
    forEachNeighbour(p, width, height, connectivity, (q) => {
      if (labels[q] !== 0 || !mask[q]) return;
      labels[q] = label;
      queue.push(q, surface[q]!);
    });
  }
  return labels;
}

/**
 * Markers at the extended h-maxima of `f` inside `mask`: the regional maxima of the
 * morphological reconstruction by dilation of f - h under f (Soille's EMAX_h, MATLAB's
 * `imextendedmax`). A peak becomes a marker only when it rises more than `h` above the saddle
 * joining it to a higher peak, so the small bumps a distance transform has on ragged outlines do
 * not split an object, and each marker is the whole plateau within h of its peak, so two equal
 * tops of one elongated object stay one marker (skimage's `h_maxima`, which keeps only the pixels
 * exactly h above the plateau, would split them). Every connected part of the mask gets at least
 * one marker. Returns markers labelled 1..count (8-connected).
 */
export function hMaximaMarkers(
  f: ArrayLike<number>,
  mask: ArrayLike<number>,
  width: number,
  height: number,
  h: number,
): { markers: Int32Array; count: number } {
  if (!(h >= 0)) throw new Error(`h must be >= 0, got ${h}`);
  const n = width * height;
  const r = new Float64Array(n);
  for (let i = 0; i < n; i++) r[i] = mask[i] ? f[i]! - h : -Infinity;
  // Vincent's hybrid reconstruction: a forward and a backward raster pass, then a FIFO queue for
  // what the passes could not reach.
  const dilateFrom = (i: number, from: readonly (readonly [number, number])[]) => {
    if (!mask[i]) return;
    const x = i % width;
    const y = (i - x) / width;
    let m = r[i]!;
    for (const [dx, dy] of from) {
      const nx = x + dx;
      const ny = y + dy;
      if (nx >= 0 && ny >= 0 && nx < width && ny < height) m = Math.max(m, r[ny * width + nx]!);
    }
    r[i] = Math.min(m, f[i]!);
  };
  const before = OFFSETS_8.slice(0, 4);
  const after = OFFSETS_8.slice(4);
  for (let i = 0; i < n; i++) dilateFrom(i, before);
  const fifo: number[] = [];
  for (let i = n - 1; i >= 0; i--) {
    dilateFrom(i, after);
    if (!mask[i]) continue;
    const x = i % width;
    const y = (i - x) / width;
    for (const [dx, dy] of after) {
      const nx = x + dx;
      const ny = y + dy;
      if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
      const j = ny * width + nx;
      if (mask[j] && r[j]! < r[i]! && r[j]! < f[j]!) {
        fifo.push(i);
        break;
      }
    }
  }
  for (let head = 0; head < fifo.length; head++) {
    const p = fifo[head]!;
    forEachNeighbour(p, width, height, 8, (q) => {
      if (!mask[q] || r[q]! >= r[p]! || r[q] === f[q]) return;
      r[q] = Math.min(r[p]!, f[q]!);
      fifo.push(q);
    });
  }
  // Regional maxima of r: 8-connected plateaus with no higher neighbour.
  const plateau = new Int32Array(n);
  const markers = new Int32Array(n);
  let count = 0;
  let plateauId = 0;
  const members: number[] = [];
  for (let s = 0; s < n; s++) {
    if (!mask[s] || plateau[s] !== 0) continue;
    plateauId++;
    plateau[s] = plateauId;
    members.length = 0;
    members.push(s);
    let isMaximum = true;
    const level = r[s]!;
    for (let head = 0; head < members.length; head++) {
      forEachNeighbour(members[head]!, width, height, 8, (q) => {
        if (!mask[q]) return;
        if (r[q]! > level) isMaximum = false;
        else if (r[q] === level && plateau[q] === 0) {
          plateau[q] = plateauId;
          members.push(q);
        }
      });
    }
    if (!isMaximum) continue;
    count++;
    for (const m of members) markers[m] = count;
  }
  return { markers, count };
}
