// A model's forward pass (inference mode) as one TensorFlow graph. The weights are session
// variables, fed when tfjs changed them: as constants, the graph import, grappler and oneDNN
// copied them about ten times (1.1 GB more peak RSS on the paper preset), for no fp32 speed; in
// bf16 each weight is cast once per change, not per run (castVariablesOnce).
import * as tf from '@tensorflow/tfjs';
import { type CompileOptions, type CompilePrecision, resolvePrecision } from './compile-mode.js';
import { type BuiltGraph, buildGraph } from './graph.js';
import { nodeBackend, recordOps, tensorId } from './recorder.js';
import { describeError, GraphSession, graphSupport } from './session.js';
import { dtypeCode, feedOf, sendChangedVariables } from './session-feeds.js';
import { shapeOracleSupport } from './shape-oracle.js';

export interface CompiledPredict {
  /** The model's output for `x` (one tensor; the caller disposes it). */
  predict(x: tf.Tensor): tf.Tensor;
  dispose(): void;
  readonly fallbackReason: string | null;
}

interface Compiled {
  session: GraphSession;
  graph: Pick<BuiltGraph, 'fetchNames' | 'initNames' | 'initTargets' | 'castTargets'>;
  /** Each weight's dataId when the session last received it. */
  agreed: object[];
}

class Predict implements CompiledPredict {
  fallbackReason: string | null = null;
  /** One graph per input shape: shapes are fixed in the recorded ops. */
  private readonly graphs = new Map<string, Compiled>();
  private readonly log: (message: string) => void;
  private readonly precision: CompilePrecision;
  private readonly variables: tf.Variable[];

  constructor(
    private readonly model: tf.LayersModel,
    private readonly options: CompileOptions,
  ) {
    this.precision = resolvePrecision(options);
    this.log = options.log ?? ((m) => console.log(m));
    this.variables = model.weights.map((w) => w.read() as tf.Variable);
    if (model.outputs.length !== 1) this.fallBack('the model has several outputs');
    const backend = nodeBackend();
    const problem = backend
      ? graphSupport(backend.binding)
      : 'the backend is not tensorflow (tfjs-node)';
    if (problem) this.fallBack(problem);
  }

  private fallBack(reason: string): void {
    this.fallbackReason ??= reason;
    this.log(`[unet] compiled predict off, predicting eagerly: ${reason}`);
  }

  private eager(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.model.apply(x, { training: false }) as tf.Tensor);
  }

  predict(x: tf.Tensor): tf.Tensor {
    if (this.fallbackReason) return this.eager(x);
    const key = String(x.shape);
    let compiled = this.graphs.get(key);
    if (!compiled) {
      const made = this.compile(x);
      if (typeof made === 'string') {
        this.fallBack(made);
        return this.eager(x);
      }
      compiled = made;
      this.graphs.set(key, compiled);
    }
    const { session, graph, agreed } = compiled;
    const sent = sendChangedVariables(session, graph, this.variables, agreed);
    if (sent > 0 && graph.castTargets.length > 0) {
      try {
        session.run([], [], graph.castTargets);
      } catch (error) {
        agreed.length = 0; // everything is sent (and cast) again next time
        throw error;
      }
    }
    const [out] = session.runToTensors([feedOf('x', x)], graph.fetchNames);
    return nodeBackend()!.createOutputTensor(out!);
  }

  private compile(x: tf.Tensor): Compiled | string {
    const backend = nodeBackend()!;
    const variables = this.variables;
    const ids = variables.map((v) => tensorId(backend, v));
    const xId = tensorId(backend, x);
    let fetch = -1;
    const record = (symbolic: boolean) =>
      recordOps(
        backend,
        () =>
          tf.tidy(() => {
            fetch = tensorId(backend, this.model.apply(x, { training: false }) as tf.Tensor);
          }),
        { symbolic },
      );
    // Without running the forward pass where the binding can (no eager activations in
    // TensorFlow's pool); by running it where it cannot, or where that recording fails.
    const symbolic = this.options.recording !== 'run' && shapeOracleSupport(backend.binding);
    let trace = symbolic ? record(true) : null;
    if (!trace || (trace.problems.length === 0 && trace.unknownShapes.length > 0)) {
      trace = record(false);
    }
    if (trace.problems.length > 0) return trace.problems[0]!;
    try {
      const graph = buildGraph(
        {
          trace,
          variables: variables.map((v, i) => ({
            id: ids[i]!,
            shape: v.shape,
            dtype: dtypeCode(v.dtype),
          })),
          assigns: new Map(),
          feeds: [{ id: xId, name: 'x', shape: x.shape, dtype: dtypeCode(x.dtype) }],
          fetches: [fetch],
          bfloat16: this.precision === 'bf16',
          castVariablesOnce: true,
        },
        backend.binding,
      );
      const session = new GraphSession(backend.binding, graph.nodes, {
        xla: this.options.xla,
        intraOpThreads: this.options.threads,
      });
      const { fetchNames, initNames, initTargets, castTargets } = graph;
      return { session, graph: { fetchNames, initNames, initTargets, castTargets }, agreed: [] };
    } catch (error) {
      return describeError(error);
    }
  }

  dispose(): void {
    for (const { session } of this.graphs.values()) session.dispose();
    this.graphs.clear();
  }
}

/**
 * Compiles `model`'s inference (training: false) into one TensorFlow graph per input shape.
 * Each call predicts with the model's current weights: the ones tfjs changed since the last
 * call (a synced training step, setWeights, loading) are sent to the session first. Falls back to eager
 * execution, saying why once.
 */
export function compilePredict(
  model: tf.LayersModel,
  options: CompileOptions = {},
): CompiledPredict {
  return new Predict(model, options);
}
