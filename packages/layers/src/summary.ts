import type * as tf from '@tensorflow/tfjs';

/** Where a group of layers sits in the U. */
export type UnetLevelRole = 'encoder' | 'bottleneck' | 'decoder' | 'head';

/** One level of the U as the articles print it: what goes out and how many parameters. */
export interface UnetLevelSummary {
  /** Layer name prefix: `enc1`.., `bottleneck`, `dec1`.., `head`. */
  name: string;
  role: UnetLevelRole;
  /** 1 (full resolution) .. depth for encoder and decoder, depth + 1 for the bottleneck. */
  level?: number;
  /** Encoder only: `[h, w, c]` of the features sent across to the decoder. */
  skipShape?: number[];
  /** `[h, w, c]` the level hands on (an encoder: its pooled map). */
  outputShape: number[];
  /** Parameters of the level's layers (trainable and not). */
  params: number;
  /** Names of its layers, in model order. */
  layers: string[];
}

/** What {@link summarizeUnet} returns. */
export interface UnetSummary {
  name: string;
  /** `[h, w, c]` */
  inputShape: number[];
  /** `[h, w, numClasses]` */
  outputShape: number[];
  depth: number;
  /** In data-flow order: enc1..enc<depth>, bottleneck, dec<depth>..dec1, head. */
  levels: UnetLevelSummary[];
  totalParams: number;
  trainableParams: number;
  /** Batch-norm moving means and variances. */
  nonTrainableParams: number;
}

const levelPattern = /^(?:enc(\d+)|bottleneck|dec(\d+)|head)_/;

function shapeOf(layer: tf.layers.Layer): number[] {
  const shape = layer.outputShape;
  const single = (Array.isArray(shape[0]) ? shape[0] : shape) as (number | null)[];
  return single.slice(1) as number[];
}

function countParams(weights: tf.LayerVariable[]): number {
  return weights.reduce((sum, w) => sum + w.shape.reduce((n: number, d) => n * (d ?? 1), 1), 0);
}

function groupName(layerName: string): string | undefined {
  return levelPattern.exec(layerName)?.[0].slice(0, -1);
}

/**
 * Per-level shapes and parameter counts of a model built by {@link buildUnet} (or loaded from
 * one: it reads the level prefixes of the layer names, `enc1_`, `bottleneck_`, `dec1_`,
 * `head_`). Layers of custom blocks count toward a level when named with the `name` prefix
 * their block receives.
 *
 * @throws Error when the model has no layers named that way.
 * @example
 * const summary = summarizeUnet(buildUnet({ preset: 'paper' }));
 * summary.levels[0]; // { name: 'enc1', skipShape: [512, 512, 64], outputShape: [256, 256, 64], ... }
 * console.log(formatUnetSummary(summary));
 */
export function summarizeUnet(model: tf.LayersModel): UnetSummary {
  const groups = new Map<string, tf.layers.Layer[]>();
  for (const layer of model.layers) {
    const group = groupName(layer.name);
    if (group === undefined) continue;
    groups.set(group, [...(groups.get(group) ?? []), layer]);
  }
  const depth = [...groups.keys()].filter((g) => g.startsWith('enc')).length;
  if (depth === 0 || !groups.has('bottleneck')) {
    throw new Error(
      `model '${model.name}' has no layers named by U-Net level (enc1_*, bottleneck_*, dec1_*, ` +
        'head_*): summarizeUnet reads models made by buildUnet or loaded from one',
    );
  }
  const order = [
    ...Array.from({ length: depth }, (_, i) => `enc${i + 1}`),
    'bottleneck',
    ...Array.from({ length: depth }, (_, i) => `dec${depth - i}`),
    'head',
  ];
  const levels = order
    .filter((name) => groups.has(name))
    .map((name): UnetLevelSummary => {
      const layers = groups.get(name)!;
      const role: UnetLevelRole = name.startsWith('enc')
        ? 'encoder'
        : name.startsWith('dec')
          ? 'decoder'
          : (name as UnetLevelRole);
      const level =
        role === 'bottleneck' ? depth + 1 : role === 'head' ? undefined : Number(name.slice(3));
      const skipSource = layers.find((layer) =>
        layer.outboundNodes.some((node) => groupName(node.outboundLayer.name)?.startsWith('dec')),
      );
      return {
        name,
        role,
        ...(level === undefined ? {} : { level }),
        ...(role === 'encoder' && skipSource ? { skipShape: shapeOf(skipSource) } : {}),
        outputShape: shapeOf(layers[layers.length - 1]!),
        params: layers.reduce((sum, layer) => sum + layer.countParams(), 0),
        layers: layers.map((layer) => layer.name),
      };
    });
  const inputShape = (model.inputs[0]?.shape ?? []).slice(1) as number[];
  const outputShape = (model.outputs[0]?.shape ?? []).slice(1) as number[];
  const trainableParams = countParams(model.trainableWeights);
  const totalParams = model.countParams();
  return {
    name: model.name,
    inputShape,
    outputShape,
    depth,
    levels,
    totalParams,
    trainableParams,
    nonTrainableParams: totalParams - trainableParams,
  };
}

const dims = (shape: number[] | undefined) => (shape ? shape.join('x') : '');
const thousands = (n: number) => n.toLocaleString('en-US');

/**
 * A text table of a {@link UnetSummary}, one row per level, like the shapes the articles print.
 *
 * @example
 * // level       skip           output         params
 * // enc1        128x128x16     64x64x16       2,832
 * // ...
 */
export function formatUnetSummary(summary: UnetSummary): string {
  const rows = [
    ['level', 'skip', 'output', 'params'],
    ...summary.levels.map((l) => [
      l.name,
      dims(l.skipShape),
      dims(l.outputShape),
      thousands(l.params),
    ]),
  ];
  const widths = [0, 1, 2, 3].map((c) => Math.max(...rows.map((r) => r[c]!.length)));
  const lines = rows.map((r) =>
    r.map((cell, c) => (c === 3 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  '),
  );
  return [
    `U-Net '${summary.name}': ${dims(summary.inputShape)} -> ${dims(summary.outputShape)}, depth ${summary.depth}`,
    ...lines,
    `${thousands(summary.totalParams)} parameters (${thousands(summary.trainableParams)} trainable, ` +
      `${thousands(summary.nonTrainableParams)} non-trainable)`,
  ].join('\n');
}
