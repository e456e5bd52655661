/**
 * `per_class.csv` and `confusion.csv` of a {@link ConfusionMatrix}, as text (no file system, so it
 * runs in a browser too; the CLI writes the strings). Undefined ratios (absent classes) are empty
 * cells, not 0, so spreadsheets average them the way mean IoU does.
 */
import type { ConfusionMatrix } from './class-scores.js';

/** Decimals of the ratios in the CSV files. */
const DIGITS = 6;

/**
 * One row per class: `index,name,true_pixels,predicted_pixels,intersection,iou,dice,recall`.
 * `names` default to the class indices.
 */
export function perClassCsv(matrix: ConfusionMatrix, names?: readonly string[]): string {
  const labels = classLabels(matrix, names);
  const header = 'index,name,true_pixels,predicted_pixels,intersection,iou,dice,recall';
  const rows = matrix
    .perClass()
    .map((s) =>
      [
        s.index,
        csvCell(labels[s.index]!),
        s.truePixels,
        s.predictedPixels,
        s.intersection,
        ratio(s.iou),
        ratio(s.dice),
        ratio(s.recall),
      ].join(','),
    );
  return `${[header, ...rows].join('\n')}\n`;
}

/**
 * The matrix with a header row of predicted class names and one row per true class:
 * `truth\predicted,Sky,Building,...` then `Sky,<count>,<count>,...`. Counts are pixels.
 */
export function confusionCsv(matrix: ConfusionMatrix, names?: readonly string[]): string {
  const labels = classLabels(matrix, names).map(csvCell);
  const k = matrix.numClasses;
  const rows = labels.map((label, t) =>
    [label, ...Array.from({ length: k }, (_, p) => matrix.count(t, p))].join(','),
  );
  return `${[['truth\\predicted', ...labels].join(','), ...rows].join('\n')}\n`;
}

function classLabels(matrix: ConfusionMatrix, names: readonly string[] | undefined): string[] {
  if (names === undefined) return Array.from({ length: matrix.numClasses }, (_, i) => String(i));
  if (names.length !== matrix.numClasses) {
    throw new Error(
      `class names: got ${names.length} names for a ${matrix.numClasses}-class confusion matrix`,
    );
  }
  return [...names];
}

function ratio(value: number | null): string {
  return value === null ? '' : value.toFixed(DIGITS);
}

/** RFC 4180 quoting for names holding commas, quotes or line breaks. */
function csvCell(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
