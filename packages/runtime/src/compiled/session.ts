// A TensorFlow graph and its session, held by the binding (patch level 2, with level 4's feeds
// and fetches that are tfjs tensors).
import { encodeConfig, encodeGraphDef, type NodeDef, type SessionConfig } from './proto.js';
import type { Binding, TensorMeta } from './recorder.js';

export interface Feed {
  name: string;
  dtype: number;
  shape: number[];
  /** The values, or the binding's id of a tfjs tensor: the session then reads its own buffer. */
  data: ArrayBufferView | number;
}

export interface Fetched {
  dtype: number;
  shape: number[];
  data: ArrayLike<number>;
}

/** The binding level whose graph sessions feed from and fetch into tfjs tensors. */
export const GRAPH_PATCH_LEVEL = 4;

export function graphSupport(binding: Binding): string | undefined {
  if ((binding.UNET_PATCH_LEVEL ?? 0) >= GRAPH_PATCH_LEVEL && binding.graphSessionCreate)
    return undefined;
  return `the tfjs-node binding lacks graph sessions that take tfjs tensors (patch level ${binding.UNET_PATCH_LEVEL ?? 0} < ${GRAPH_PATCH_LEVEL}; rerun unet-setup-tensorflow)`;
}

/**
 * XLA clusters ops on CPU only with the process flag --tf_xla_cpu_global_jit, which TensorFlow
 * reads from TF_XLA_FLAGS when it loads (TF_EnableXLACompilation, which the binding calls, did not
 * get clusters on CPU in our tests with TensorFlow 2.21). Too late to set it from here.
 */
function xlaOnCpuWarning(): string | undefined {
  if ((process.env.TF_XLA_FLAGS ?? '').includes('tf_xla_cpu_global_jit')) return undefined;
  return 'XLA clusters nothing on CPU unless TF_XLA_FLAGS=--tf_xla_cpu_global_jit is set before the process starts';
}

/**
 * TensorFlow's error, first line, naming the node it is about and that node's op (TensorFlow puts
 * the node on a later line, which one-line messages would lose).
 */
export function describeError(error: unknown, nodes: readonly NodeDef[] = []): string {
  const message = error instanceof Error ? error.message : String(error);
  const first = message.split('\n')[0]!;
  const name = /\{\{node ([^}\s]+)\}\}/.exec(message)?.[1];
  const node = name === undefined ? undefined : nodes.find((n) => n.name === name);
  if (name === undefined || first.includes(name)) return first;
  return `${first} (node ${name}${node ? `, op ${node.op}` : ''})`;
}

export class GraphSession {
  /** Set when the session cannot get what it was asked for (XLA without its process flag). */
  readonly warning: string | undefined;

  private id: number | null;

  constructor(
    private readonly binding: Binding,
    nodes: readonly NodeDef[],
    config: SessionConfig,
  ) {
    const problem = graphSupport(binding);
    if (problem) throw new Error(problem);
    this.warning = config.xla ? xlaOnCpuWarning() : undefined;
    this.id = binding.graphSessionCreate!(
      encodeGraphDef(nodes),
      encodeConfig(config),
      config.xla === true,
    );
  }

  /** Runs `targets` and returns `fetches` as copies in typed arrays. */
  run(
    feeds: readonly Feed[],
    fetches: readonly string[],
    targets: readonly string[] = [],
  ): Fetched[] {
    return this.call(feeds, fetches, targets, false) as Fetched[];
  }

  /**
   * Runs `targets` and returns `fetches` as new binding tensors holding TensorFlow's buffers (no
   * copy): make tfjs tensors of them (NodeBackend.createOutputTensor), or delete them.
   */
  runToTensors(
    feeds: readonly Feed[],
    fetches: readonly string[],
    targets: readonly string[] = [],
  ): TensorMeta[] {
    return this.call(feeds, fetches, targets, true) as TensorMeta[];
  }

  private call(
    feeds: readonly Feed[],
    fetches: readonly string[],
    targets: readonly string[],
    asTensors: boolean,
  ): (Fetched | TensorMeta)[] {
    if (this.id === null) throw new Error('the graph session was disposed');
    return this.binding.graphSessionRun!(
      this.id,
      feeds.map((f) => f.name),
      feeds.map((f) => f.dtype),
      feeds.map((f) => f.shape),
      feeds.map((f) => f.data),
      [...fetches],
      [...targets],
      asTensors,
    );
  }

  dispose(): void {
    if (this.id !== null) this.binding.graphSessionDelete!(this.id);
    this.id = null;
  }
}
