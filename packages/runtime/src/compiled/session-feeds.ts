// Values crossing into a graph session: tfjs tensors as feeds, and the variables tfjs changed
// since the session last had them. Feeds are the tfjs tensors themselves (binding level 4): the
// session reads their buffers, so no copy of them is made in JavaScript.
import type * as tf from '@tensorflow/tfjs';
import type { BuiltGraph } from './graph.js';
import { DT } from './proto.js';
import { nodeBackend, tensorId } from './recorder.js';
import type { Feed, GraphSession } from './session.js';

export function dtypeCode(dtype: tf.DataType): number {
  if (dtype === 'float32') return DT.float;
  if (dtype === 'int32') return DT.int32;
  if (dtype === 'bool') return DT.bool;
  throw new Error(`a ${dtype} tensor cannot be fed to the graph`);
}

export function feedOf(name: string, t: tf.Tensor): Feed {
  return { name, dtype: dtypeCode(t.dtype), shape: t.shape, data: tensorId(nodeBackend()!, t) };
}

/**
 * Feeds `session` the variables tfjs wrote since it and tfjs last agreed (`agreed`: each
 * variable's dataId then; all of them when empty), and updates `agreed`. Returns how many it sent.
 */
export function sendChangedVariables(
  session: GraphSession,
  graph: Pick<BuiltGraph, 'initNames' | 'initTargets'>,
  variables: readonly tf.Variable[],
  agreed: object[],
): number {
  const feeds: Feed[] = [];
  const targets: string[] = [];
  variables.forEach((v, i) => {
    if (agreed[i] === v.dataId) return;
    feeds.push(feedOf(graph.initNames[i]!, v));
    targets.push(graph.initTargets[i]!);
  });
  if (targets.length > 0) session.run(feeds, [], targets);
  variables.forEach((v, i) => {
    agreed[i] = v.dataId;
  });
  return targets.length;
}
