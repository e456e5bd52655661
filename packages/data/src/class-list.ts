/**
 * The classes of a multi-class segmentation set: names, display/palette colours and the index of
 * unlabelled ("void") pixels, with the `classes.json` format and strict validation. Class index
 * `i` is `classes[i]`; masks hold those indices (or colours, through the palette).
 */
import { DataFileError, describeError, readJsonFile } from './errors.js';

/** An sRGB colour, each channel an integer in [0, 255]. */
export type Rgb = readonly [number, number, number];

/** One class: its name and, for colour-coded masks and coloured predictions, its colour. */
export interface ClassInfo {
  name: string;
  color?: Rgb;
}

/**
 * The classes of a data set. `ignoreIndex` marks unlabelled pixels (CamVid's void 11, VOC's 255):
 * masks may hold it, losses and scores skip it. It must lie outside `0 .. classes.length - 1`.
 */
export interface ClassList {
  classes: readonly ClassInfo[];
  ignoreIndex?: number;
  /** Colour of unlabelled pixels in colour-coded masks (read as `ignoreIndex`). */
  ignoreColor?: Rgb;
}

/**
 * Largest class count and ignore value: class masks are kept one byte per pixel (in memory and
 * in the sample cache), so every value a mask holds must fit in 0..255.
 */
export const MAX_CLASS_VALUE = 255;

/** Thrown by {@link parseClassList} / {@link validateClassList}; names the source and the field. */
export class ClassListError extends Error {
  override readonly name = 'ClassListError';
}

/** The 11 CamVid classes as published with SegNet (void = 11, black), in SegNet's colours. */
export const CAMVID_CLASSES: ClassList = {
  classes: [
    { name: 'Sky', color: [128, 128, 128] },
    { name: 'Building', color: [128, 0, 0] },
    { name: 'Pole', color: [192, 192, 128] },
    { name: 'Road', color: [128, 64, 128] },
    { name: 'Pavement', color: [60, 40, 222] },
    { name: 'Tree', color: [128, 128, 0] },
    { name: 'SignSymbol', color: [192, 128, 128] },
    { name: 'Fence', color: [64, 64, 128] },
    { name: 'Car', color: [64, 0, 128] },
    { name: 'Pedestrian', color: [64, 64, 0] },
    { name: 'Bicyclist', color: [0, 128, 192] },
  ],
  ignoreIndex: 11,
  ignoreColor: [0, 0, 0],
};

/**
 * Checks a parsed `classes.json` document and returns it as a {@link ClassList} (a copy: later
 * edits of `json` do not leak in). `source` names the file in error messages.
 *
 * @example
 * ```ts
 * parseClassList({ classes: [{ name: 'background' }, { name: 'cell', color: [255, 0, 0] }] });
 * ```
 * @throws {@link ClassListError} naming `source` and the offending field.
 */
export function parseClassList(json: unknown, source = 'class list'): ClassList {
  const fail = (detail: string): never => {
    throw new ClassListError(`${source}: ${detail}`);
  };
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    fail('must be a JSON object like { "classes": [{ "name": "Sky" }, ...], "ignoreIndex": 11 }');
  }
  const document = json as Record<string, unknown>;
  for (const key of Object.keys(document)) {
    // A misspelt "ignoreIndex" would otherwise silently turn void pixels into errors.
    if (!['classes', 'ignoreIndex', 'ignoreColor'].includes(key)) {
      fail(`unknown field "${key}" (known: classes, ignoreIndex, ignoreColor)`);
    }
  }
  if (!Array.isArray(document.classes)) fail('"classes" must be an array of { "name", "color" }');
  const classes = (document.classes as unknown[]).map((entry, i): ClassInfo => {
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      return fail(`classes[${i}] must be an object { "name": ..., "color": [r, g, b] }`);
    }
    const { name, color, ...rest } = entry as Record<string, unknown>;
    const extra = Object.keys(rest);
    if (extra.length > 0) fail(`classes[${i}] has unknown field "${extra[0]}"`);
    if (typeof name !== 'string' || name.trim() === '') {
      fail(`classes[${i}].name must be a non-empty string`);
    }
    if (color === undefined) return { name: name as string };
    return { name: name as string, color: parseRgb(color, `classes[${i}].color`, fail) };
  });
  const list: ClassList = { classes };
  if (document.ignoreIndex !== undefined) {
    (list as { ignoreIndex?: number }).ignoreIndex = document.ignoreIndex as number;
  }
  if (document.ignoreColor !== undefined) {
    (list as { ignoreColor?: Rgb }).ignoreColor = parseRgb(
      document.ignoreColor,
      'ignoreColor',
      fail,
    );
  }
  validateClassList(list, source);
  return list;
}

/**
 * Checks a {@link ClassList} built in code: at least 2 classes (a single class is the binary
 * case, read with the binary-mask readers), unique non-empty names, colours on all classes or
 * none and no colour used twice, `ignoreIndex` an integer outside the class indices and <= 255.
 * @throws {@link ClassListError} naming `source` and the problem.
 */
export function validateClassList(list: ClassList, source = 'class list'): void {
  const fail = (detail: string): never => {
    throw new ClassListError(`${source}: ${detail}`);
  };
  const { classes, ignoreIndex, ignoreColor } = list;
  if (!Array.isArray(classes) || classes.length < 2) {
    fail(
      `needs at least 2 classes (e.g. background and the object), got ${
        Array.isArray(classes) ? classes.length : 'none'
      }; a one-class (binary) set uses 0/255 masks and the binary readers`,
    );
  }
  if (classes.length > MAX_CLASS_VALUE) {
    fail(`has ${classes.length} classes; at most ${MAX_CLASS_VALUE} are supported`);
  }
  const names = new Map<string, number>();
  const colours = new Map<string, number>();
  classes.forEach((info, i) => {
    const previous = names.get(info.name);
    if (previous !== undefined)
      fail(`class name "${info.name}" is used by classes ${previous} and ${i}`);
    names.set(info.name, i);
    if (info.color) {
      parseRgb(info.color, `classes[${i}].color`, fail);
      const key = info.color.join(',');
      const other = colours.get(key);
      if (other !== undefined) {
        fail(
          `colour [${key}] is used by classes ${other} ("${classes[other]!.name}") and ${i} ("${info.name}")`,
        );
      }
      colours.set(key, i);
    }
  });
  if (colours.size > 0 && colours.size < classes.length) {
    const missing = classes.findIndex((info) => !info.color);
    fail(
      `classes[${missing}] ("${classes[missing]!.name}") has no colour; give every class a colour or none`,
    );
  }
  if (ignoreIndex !== undefined) {
    if (!Number.isInteger(ignoreIndex) || ignoreIndex < 0 || ignoreIndex > MAX_CLASS_VALUE) {
      fail(
        `ignoreIndex must be an integer in 0..${MAX_CLASS_VALUE}, got ${JSON.stringify(ignoreIndex)}`,
      );
    }
    if (ignoreIndex < classes.length) {
      fail(
        `ignoreIndex ${ignoreIndex} is the index of class "${classes[ignoreIndex]!.name}"; use a ` +
          `value >= ${classes.length} (the class count), e.g. ${classes.length} or 255`,
      );
    }
  }
  if (ignoreColor !== undefined) {
    parseRgb(ignoreColor, 'ignoreColor', fail);
    if (ignoreIndex === undefined) fail('ignoreColor is set but ignoreIndex is not');
    const other = colours.get(ignoreColor.join(','));
    if (other !== undefined) {
      fail(
        `ignoreColor [${ignoreColor.join(',')}] is also the colour of class ${other} ("${classes[other]!.name}")`,
      );
    }
  }
}

/**
 * Reads and validates a `classes.json` file.
 * @throws {@link DataFileError} (`bad-class-list`) naming the file when it cannot be read or is not
 * JSON, or holds an invalid class list (the message says which field).
 */
export async function readClassList(file: string): Promise<ClassList> {
  const json = await readJsonFile(file, 'bad-class-list', 'class list JSON');
  try {
    return parseClassList(json, file);
  } catch (error) {
    // The message already starts with the file name; keep it and the DataFileError type.
    const detail = describeError(error).slice(file.length + 2);
    throw new DataFileError(file, 'bad-class-list', detail, { cause: error });
  }
}

/** The `classes.json` text of a class list (2-space indented, one class per line). */
export function classListToJson(list: ClassList): string {
  validateClassList(list);
  const lines = list.classes.map((info) => `    ${JSON.stringify(info)}`);
  const extra = [
    list.ignoreIndex !== undefined ? `  "ignoreIndex": ${list.ignoreIndex}` : undefined,
    list.ignoreColor ? `  "ignoreColor": ${JSON.stringify(list.ignoreColor)}` : undefined,
  ].filter((line) => line !== undefined);
  return `{\n  "classes": [\n${lines.join(',\n')}\n  ]${extra.map((line) => `,\n${line}`).join('')}\n}\n`;
}

function parseRgb(value: unknown, field: string, fail: (detail: string) => never): Rgb {
  const ok =
    Array.isArray(value) &&
    value.length === 3 &&
    value.every((v) => Number.isInteger(v) && v >= 0 && v <= 255);
  if (!ok) fail(`${field} must be [r, g, b] with integers 0..255, got ${JSON.stringify(value)}`);
  const [r, g, b] = value as number[];
  return [r!, g!, b!];
}
