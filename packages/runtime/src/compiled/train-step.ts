// A tfjs LayersModel's whole training step (forward, loss, tfjs's gradients, optimizer update) as
// one TensorFlow graph, run by one session call per batch. Weights and optimizer state live in
// the session between steps and are written back to the tfjs variables by sync().
import * as tf from '@tensorflow/tfjs';
import { type CompileOptions, type CompilePrecision, resolvePrecision } from './compile-mode.js';
import { type BuiltGraph, buildGraph } from './graph.js';
import { DT } from './proto.js';
import { nodeBackend, recordOps, tensorId } from './recorder.js';
import { isReleased, releaseCopy } from './released-copies.js';
import { describeError, GraphSession, graphSupport } from './session.js';
import { dtypeCode, feedOf, sendChangedVariables } from './session-feeds.js';
import { shapeOracleSupport } from './shape-oracle.js';

export interface CompileTrainStepOptions extends CompileOptions {
  /** Compiles the model with these when given (else the model must be compiled already). */
  loss?: string | ((yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor);
  optimizer?: tf.Optimizer | string;
  metrics?: tf.ModelCompileArgs['metrics'];
}

export interface CompiledTrainStep {
  /** One step on a batch; returns [loss, ...metrics] like the model's compiled outputs. */
  trainOnBatch(x: tf.Tensor, y: tf.Tensor): number[];
  /**
   * Writes the session's weights and optimizer state (and step count) back into the tfjs
   * variables, as new tensors. Between syncs tfjs usually holds no copy of what the step
   * updates (one a live clone shares keeps its own): a read of one such variable fetches its
   * current value from the session.
   */
  sync(): void;
  dispose(): void;
  /** Why the step runs eagerly for good, or null. */
  readonly fallbackReason: string | null;
  readonly compiledSteps: number;
  readonly eagerSteps: number;
  /** Ops in the graph (0 before the first compiled step). */
  readonly graphOps: number;
}

/** An unlikely learning rate, set while recording so that its constants can be found. */
const LR_SENTINEL = 7.654321e-4;

interface OptimizerInternals {
  learningRate: number;
  iterations_: number;
}

type TrainFunction = (data: tf.Tensor[]) => tf.Scalar[];
type LossFunction = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor;

class TrainStep implements CompiledTrainStep {
  fallbackReason: string | null = null;
  compiledSteps = 0;
  eagerSteps = 0;
  private session: GraphSession | null = null;
  private graph: BuiltGraph | null = null;
  private variables: tf.Variable[] = [];
  /** Each variable's dataId when the session and tfjs last agreed: a new one means tfjs wrote it. */
  private agreed: object[] = [];
  /** Variable index -> whether the step assigns it (its tfjs copy goes stale, and is released). */
  private updated: boolean[] = [];
  private key: string | null = null;
  private dirty = false;
  private pendingIterations = 0;
  private readonly trainFunction: TrainFunction;
  private readonly log: (message: string) => void;
  private readonly precision: CompilePrecision;

  constructor(
    private readonly model: tf.LayersModel,
    private readonly options: CompileTrainStepOptions,
  ) {
    this.precision = resolvePrecision(options);
    if (options.loss !== undefined || options.optimizer !== undefined) {
      model.compile({
        loss: options.loss ?? 'binaryCrossentropy',
        optimizer: options.optimizer ?? 'adam',
        metrics: options.metrics,
      });
    }
    if (!model.optimizer)
      throw new Error('compileTrainStep: compile the model or pass loss and optimizer');
    // tfjs's own train function (what trainOnBatch and fit run): loss, metrics, minimize.
    this.trainFunction = (
      model as unknown as { makeTrainFunction(): TrainFunction }
    ).makeTrainFunction();
    this.log = options.log ?? ((m) => console.log(m));
    const backend = nodeBackend();
    const problem = backend
      ? graphSupport(backend.binding)
      : 'the backend is not tensorflow (tfjs-node)';
    if (problem) this.fallBack(problem);
  }

  get graphOps(): number {
    return this.graph?.opCount ?? 0;
  }

  private get optimizer(): OptimizerInternals {
    return this.model.optimizer as unknown as OptimizerInternals;
  }

  private fallBack(reason: string): void {
    this.fallbackReason = reason;
    this.log(`[unet] compiled step off, training eagerly: ${reason}`);
  }

  private eager(x: tf.Tensor, y: tf.Tensor): number[] {
    this.eagerSteps++;
    // tfjs's train function keeps its metric values out of any tidy (its fit loop disposes
    // them): dispose them here too, or each eager step leaks one tensor per metric.
    const outs = tf.tidy(() => this.trainFunction([x, y]));
    const values = outs.map((t) => t.dataSync()[0]!);
    tf.dispose(outs);
    return values;
  }

  trainOnBatch(x: tf.Tensor, y: tf.Tensor): number[] {
    if (this.fallbackReason) return this.eager(x, y);
    const key = `${x.shape}|${y.shape}`;
    if (this.key !== null && key !== this.key) {
      // The graph is specialized to the first batch's shape: another one (a short last batch)
      // trains eagerly, after the session's state is back in tfjs.
      this.sync();
      return this.eager(x, y);
    }
    if (!this.session) {
      if (this.key === null) {
        this.key = key;
        // With shape graphs (binding level 3) the step is recorded without running it, once the
        // optimizer's state exists: no eager step fills TensorFlow's memory pool first.
        if (this.options.recording !== 'run' && shapeOracleSupport(nodeBackend()!.binding)) {
          this.createOptimizerState();
          const failed = this.compile(x, y, true);
          if (!failed) return this.startGraph(x, y);
          if (!failed.retryByRunning) {
            this.fallBack(failed.reason);
            return this.eager(x, y);
          }
        }
        // The first step runs eagerly: it creates the optimizer's state, which the graph then
        // holds as variables (a step that creates variables cannot be replayed).
        return this.eager(x, y);
      }
      const failed = this.compile(x, y, false);
      if (failed) {
        this.fallBack(failed.reason);
        return this.eager(x, y);
      }
      return this.startGraph(x, y);
    }
    return this.run(x, y);
  }

  /** The graph's first step; a graph TensorFlow cannot run leaves eager training in charge. */
  private startGraph(x: tf.Tensor, y: tf.Tensor): number[] {
    try {
      return this.run(x, y);
    } catch (error) {
      // A graph TensorFlow imports but cannot run (a kernel missing in graph mode fails before
      // any op runs): the copies released before it fetch the values sent, still the session's,
      // so tfjs gets the state from before this step; the session goes and eager takes over.
      // (A step that fails midway, out of memory, may have assigned some of its updates.)
      try {
        this.fetchReleasedCopies();
      } finally {
        (this.session as GraphSession | null)?.dispose();
        this.session = null;
        this.dirty = false;
        this.pendingIterations = 0;
        this.compiledSteps = 0;
        this.fallBack(describeError(error, this.graph?.nodes));
      }
      return this.eager(x, y);
    }
  }

  /**
   * Creates the optimizer's state (Adam's moments, ...) as its first update would, by applying
   * zero gradients and putting every variable it changed back: what the recorded step then
   * reads and updates, as it would after an eager first step.
   */
  private createOptimizerState(): void {
    const engine = tf.engine() as unknown as { registeredVariables: Record<string, tf.Variable> };
    const all = Object.values(engine.registeredVariables);
    const snapshot = all.map((v) => tf.clone(v));
    const optimizer = this.optimizer;
    // Through tfjs's getter: a new optimizer has no count yet (undefined) until asked.
    const iterations = (this.model.optimizer as tf.Optimizer).iterations;
    try {
      tf.tidy(() => {
        const variables = this.model.trainableWeights.map((w) => w.read() as tf.Variable);
        const zeros = variables.map((v) => ({ name: v.name, tensor: tf.zerosLike(v) }));
        // An optimizer that can make its state without an update says so (FlatAdamOptimizer,
        // whose flat moments come from restored ones); zero gradients make the others' state,
        // and their updates are undone below.
        const target = this.model.optimizer as tf.Optimizer & {
          prepareState?: (grads: typeof zeros) => void;
        };
        if (typeof target.prepareState === 'function') target.prepareState(zeros);
        else target.applyGradients(zeros);
      });
    } finally {
      all.forEach((v, i) => {
        if (v.dataId !== snapshot[i]!.dataId) v.assign(snapshot[i]!);
      });
      tf.dispose(snapshot);
      optimizer.iterations_ = iterations;
    }
    // A weight set from another model's (setWeights) shares its tensor, which an eager first
    // step would have replaced; the graph needs one tensor per variable, so it gets a copy.
    const holders = new Map<object, number>();
    for (const v of Object.values(engine.registeredVariables)) {
      const n = holders.get(v.dataId) ?? 0;
      holders.set(v.dataId, n + 1);
      if (n === 0 || v.dtype === 'bool') continue;
      // assign keeps its own reference: the copy's goes, leaving the variable the only holder.
      const copy = tf.tidy(() => tf.mul(v, 1));
      v.assign(copy);
      copy.dispose();
    }
  }

  private run(x: tf.Tensor, y: tf.Tensor): number[] {
    const graph = this.graph!;
    const feeds = [feedOf('x', x), feedOf('y', y)];
    if (graph.lrUsed) {
      feeds.push({
        name: 'lr',
        dtype: DT.float,
        shape: [],
        data: new Float32Array([this.optimizer.learningRate]),
      });
    }
    // tfjs's copies go before the step, so TensorFlow's pool does not grow around them; until the
    // step has run, a read (or a fallback to eager) fetches the values just sent.
    sendChangedVariables(this.session!, graph, this.variables, this.agreed);
    this.releaseStaleCopies();
    const out = this.session!.run(
      feeds,
      graph.fetchNames,
      graph.stepTarget ? [graph.stepTarget] : [],
    );
    this.dirty = true;
    this.compiledSteps++;
    this.pendingIterations++;
    return out.map((o) => Number(o.data[0]));
  }

  /**
   * Records one step (`symbolic`: without running it) and builds the session; returns why it
   * cannot (and whether recording a running step may), or undefined.
   */
  private compile(
    x: tf.Tensor,
    y: tf.Tensor,
    symbolic: boolean,
  ): { reason: string; retryByRunning: boolean } | undefined {
    const reason = this.build(x, y, symbolic);
    if (typeof reason === 'string') return { reason, retryByRunning: false };
    return reason;
  }

  private build(
    x: tf.Tensor,
    y: tf.Tensor,
    symbolic: boolean,
  ): string | { reason: string; retryByRunning: boolean } | undefined {
    const backend = nodeBackend()!;
    const engine = tf.engine() as unknown as { registeredVariables: Record<string, tf.Variable> };
    const all = Object.values(engine.registeredVariables);
    const startIds = all.map((v) => tensorId(backend, v));
    const ids = { x: tensorId(backend, x), y: tensorId(backend, y) };
    const snapshot = all.map((v) => tf.clone(v));
    const optimizer = this.optimizer;
    const { learningRate, iterations_ } = optimizer;
    let fetchIds: number[] = [];
    let endIds: number[] = [];
    let trace: ReturnType<typeof recordOps>;
    // The loss functions see the model's outputs: note them, so bf16 hands them over as float32.
    const model = this.model as unknown as { lossFunctions?: LossFunction[] };
    const lossFunctions = model.lossFunctions;
    const outputIds: number[] = [];
    if (this.precision === 'bf16' && Array.isArray(lossFunctions)) {
      model.lossFunctions = lossFunctions.map((fn) => (yTrue, yPred) => {
        outputIds.push(tensorId(backend, yPred));
        return fn(yTrue, yPred);
      });
    }
    // The recorded step runs with a made-up learning rate: every variable goes back after it,
    // inside the recording (a symbolic step's stand-in values are released there).
    const restore = () => {
      all.forEach((v, i) => {
        if (v.dataId !== snapshot[i]!.dataId) v.assign(snapshot[i]!);
      });
    };
    optimizer.learningRate = LR_SENTINEL;
    try {
      trace = recordOps(
        backend,
        () => {
          try {
            const outs = tf.tidy(() => this.trainFunction([x, y]));
            fetchIds = outs.map((t) => tensorId(backend, t));
            tf.dispose(outs);
            endIds = all.map((v) => tensorId(backend, v));
          } finally {
            restore();
            // Variables the step made hold stand-ins when it did not run: they go here too (an
            // optimizer that makes its state outside applyGradients; the step then fails below).
            if (symbolic) {
              const known = new Set(all);
              for (const v of Object.values(engine.registeredVariables))
                if (!known.has(v)) v.dispose();
            }
          }
        },
        { symbolic },
      );
    } finally {
      restore();
      tf.dispose(snapshot);
      optimizer.learningRate = learningRate;
      optimizer.iterations_ = iterations_;
      model.lossFunctions = lossFunctions;
    }
    if (trace.problems.length > 0) return trace.problems[0];
    if (trace.unknownShapes.length > 0)
      return { reason: trace.unknownShapes[0]!, retryByRunning: true };
    if (Object.keys(engine.registeredVariables).length !== all.length)
      return 'the step creates variables';

    const inputs = new Set(trace.ops.flatMap((op) => op.inputs));
    const used = all
      .map((_, i) => i)
      .filter((i) => inputs.has(startIds[i]!) || endIds[i] !== startIds[i]);
    if (new Set(used.map((i) => startIds[i])).size !== used.length)
      return 'two variables share one tensor';
    this.variables = used.map((i) => all[i]!);
    const assigns = new Map<number, number>();
    used.forEach((i, k) => {
      if (endIds[i] !== startIds[i]) assigns.set(k, endIds[i]!);
    });
    this.updated = used.map((_, k) => assigns.has(k));
    try {
      this.graph = buildGraph(
        {
          trace,
          variables: this.variables.map((v, k) => ({
            id: startIds[used[k]!]!,
            shape: v.shape,
            dtype: dtypeCode(v.dtype),
          })),
          assigns,
          feeds: [
            { id: ids.x, name: 'x', shape: x.shape, dtype: dtypeCode(x.dtype) },
            { id: ids.y, name: 'y', shape: y.shape, dtype: dtypeCode(y.dtype) },
          ],
          fetches: fetchIds,
          lrSentinel: LR_SENTINEL,
          bfloat16: this.precision === 'bf16',
          modelOutputs: outputIds,
        },
        backend.binding,
      );
      this.session = new GraphSession(backend.binding, this.graph.nodes, {
        xla: this.options.xla,
        intraOpThreads: this.options.threads,
      });
    } catch (error) {
      const reason = describeError(error, this.graph?.nodes);
      this.graph = null;
      return reason;
    }
    if (this.session.warning) this.log(`[unet] compiled step: ${this.session.warning}`);
    if (!this.graph.lrUsed)
      this.log('[unet] compiled step: no learning rate found in the step; it stays fixed');
    this.agreed = [];
    this.log(
      `[unet] compiled step: ${this.graph.opCount} ops, ${this.variables.length} variables in one graph (${this.precision}${this.options.xla ? ', XLA' : ''})`,
    );
    return undefined;
  }

  /**
   * Frees tfjs's copies of the variables the step updates and the session has, to be fetched
   * from the session when something reads one.
   */
  private releaseStaleCopies(): void {
    const backend = nodeBackend()!;
    const session = this.session!;
    const { readNames } = this.graph!;
    this.variables.forEach((v, i) => {
      if (!this.updated[i] || v.dataId !== this.agreed[i] || isReleased(backend, v)) return;
      releaseCopy(backend, v, () => session.runToTensors([], [readNames[i]!])[0]!.id);
    });
  }

  /** Fetches the released copies back now (before the session they fetch from goes). */
  private fetchReleasedCopies(): void {
    const backend = nodeBackend()!;
    for (const v of this.variables) if (isReleased(backend, v)) backend.tensorMap.get(v.dataId);
  }

  sync(): void {
    if (!this.session || !this.dirty) return;
    const backend = nodeBackend()!;
    // A variable tfjs wrote since the last agreement (setWeights, batch-norm recalibration) has
    // the newer value: run() sends it before the next step.
    const synced = this.variables.flatMap((v, i) => (v.dataId === this.agreed[i] ? [i] : []));
    const names = synced.map((i) => this.graph!.readNames[i]!);
    const fetched = names.length > 0 ? this.session.runToTensors([], names) : [];
    tf.tidy(() => {
      // Every fetch a tfjs tensor first, so that none is left unowned if an assign throws.
      const values = fetched.map((meta) => backend.createOutputTensor(meta));
      synced.forEach((i, k) => {
        const v = this.variables[i]!;
        // A new tensor over the session's buffer, not the released one refilled: whoever tracks
        // tensors by id (a compiled predict) sees the change. Disposing a released tensor fetches
        // nothing.
        v.assign(values[k]!);
        this.agreed[i] = v.dataId;
      });
    });
    this.optimizer.iterations_ += this.pendingIterations;
    this.pendingIterations = 0;
    this.dirty = false;
  }

  dispose(): void {
    this.sync();
    if (this.session) this.fetchReleasedCopies();
    this.session?.dispose();
    this.session = null;
    this.graph = null;
    this.variables = [];
  }
}

/**
 * Compiles `model`'s training step into one TensorFlow graph (tfjs-node backend, binding patch
 * level 4). With binding level 3 the first step makes the optimizer's state, records the ops
 * tfjs would run without running them (TensorFlow infers the shapes) and runs as the graph's
 * first step; otherwise (or `recording: 'run'`) the first step runs eagerly and the second
 * records as it runs. Every step after is one session call. The learning rate
 * is fed per step, so changes to `optimizer.learningRate` (ReduceLROnPlateau) apply. tfjs's
 * copies of what the step updates are released between syncs and fetched from the session when
 * read; call `sync()` before reading weights or optimizer state (getWeights, saving, evaluation
 * in tfjs) to get all of them, and Adam's step count, at one point. Where the step cannot be a
 * graph, it runs eagerly and says why once.
 */
export function compileTrainStep(
  model: tf.LayersModel,
  options: CompileTrainStepOptions = {},
): CompiledTrainStep {
  return new TrainStep(model, options);
}
