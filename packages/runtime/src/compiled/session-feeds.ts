// Values crossing into a graph session: tfjs tensors as feeds, and the variables tfjs changed
// since the session last had them.
import type * as tf from '@tensorflow/tfjs';
import type { BuiltGraph } from './graph.js';
import { DT } from './proto.js';
import type { Feed, GraphSession } from './session.js';

export function dtypeCode(dtype: tf.DataType): number {
  if (dtype === 'float32') return DT.float;
  if (dtype === 'int32') return DT.int32;
  if (dtype === 'bool') return DT.bool;
  throw new Error(`a ${dtype} tensor cannot be fed to the graph`);
}

export function feedOf(name: string, t: tf.Tensor): Feed {
  return { name, dtype: dtypeCode(t.dtype), shape: t.shape, data: t.dataSync() as Float32Array };
}

/**
 * Feeds `session` the variables tfjs wrote since it and tfjs last agreed (`agreed`: each
 * variable's dataId then; all of them when empty), and updates `agreed`. Returns the values it
 * sent, by variable index.
 */
export function sendChangedVariables(
  session: GraphSession,
  graph: Pick<BuiltGraph, 'initNames' | 'initTargets'>,
  variables: readonly tf.Variable[],
  agreed: object[],
): Map<number, ArrayBufferView> {
  const sent = new Map<number, ArrayBufferView>();
  const feeds: Feed[] = [];
  const targets: string[] = [];
  variables.forEach((v, i) => {
    if (agreed[i] === v.dataId) return;
    const feed = feedOf(graph.initNames[i]!, v);
    sent.set(i, feed.data);
    feeds.push(feed);
    targets.push(graph.initTargets[i]!);
  });
  if (targets.length > 0) session.run(feeds, [], targets);
  variables.forEach((v, i) => {
    agreed[i] = v.dataId;
  });
  return sent;
}
