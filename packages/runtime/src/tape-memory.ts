import * as tf from '@tensorflow/tfjs';

type GradientThunks = Record<string, () => tf.Tensor>;

interface TapeNode {
  saved?: tf.Tensor[];
  gradient?: (dys: (tf.Tensor | null)[]) => GradientThunks;
}

/** The parts of tfjs-core's Engine (4.x) this module wraps. */
interface EngineInternals {
  state: { activeTape: TapeNode[] | null; gradientDepth: number };
  addTapeNode(...args: unknown[]): void;
  gradients(
    f: () => tf.Tensor,
    xs: tf.Tensor[],
    dy?: tf.Tensor,
    allowNoGradients?: boolean,
  ): { value: tf.Tensor; grads: tf.Tensor[] };
}

/** One backward pass: what may be freed once the next tape node starts. */
interface BackwardPass {
  callerDy: tf.Tensor | undefined;
  pending: tf.Tensor[];
  returned: Set<tf.Tensor>;
}

let enabled = false;
let installed = false;
let pass: BackwardPass | undefined;

function release(current: BackwardPass): void {
  for (const t of current.pending) t.dispose();
  current.pending = [];
}

/**
 * Wraps a tape node's gradient so that, once the next node starts (the tape is walked in
 * reverse topological order, so nothing reads them again), its output gradients and its saved
 * forward tensors are disposed. Thunk results that are one of its dys or were returned before
 * are cloned, so every accumulated gradient is a tensor of its own.
 */
function releasingGradient(engine: EngineInternals, node: TapeNode): TapeNode['gradient'] {
  const gradient = node.gradient!;
  return (dys) => {
    const current = pass;
    if (!enabled || !current || engine.state.gradientDepth !== 0) return gradient(dys);
    release(current);
    const thunks = gradient(dys);
    for (const dy of dys) if (dy && dy !== current.callerDy) current.pending.push(dy);
    current.pending.push(...(node.saved ?? []));
    const wrapped: GradientThunks = {};
    for (const [name, thunk] of Object.entries(thunks)) {
      wrapped[name] = () => {
        const dx = thunk();
        if (dys.includes(dx) || current.returned.has(dx)) return dx.clone();
        current.returned.add(dx);
        return dx;
      };
    }
    return wrapped;
  };
}

/**
 * Frees gradient memory during backpropagation, as TensorFlow's own tape does. tfjs keeps every
 * intermediate gradient and every tensor saved for the backward pass until the whole gradient
 * computation ends, so a training step peaks at the forward activations plus all their
 * gradients; here each is disposed as soon as the backward pass is past the op that needed it.
 * Results are unchanged (tested against the unpatched engine); higher-order gradients
 * (`tf.grad` of `tf.grad`) keep tfjs's behaviour. `initBackend` turns it on (unless
 * `UNET_TAPE_RELEASE=0`); `false` turns it off again.
 */
export function setTapeMemoryRelease(on: boolean): void {
  enabled = on;
  if (!on || installed) return;
  installed = true;
  const engine = tf.engine() as unknown as EngineInternals;
  const addTapeNode = engine.addTapeNode;
  const gradients = engine.gradients;
  engine.addTapeNode = function (this: EngineInternals, ...args: unknown[]) {
    addTapeNode.apply(this, args);
    const tape = this.state.activeTape;
    const node = tape?.[tape.length - 1];
    if (node?.gradient) node.gradient = releasingGradient(this, node);
  };
  engine.gradients = function (this: EngineInternals, f, xs, dy, allowNoGradients) {
    const outer = pass;
    pass = { callerDy: dy, pending: [], returned: new Set() };
    try {
      return gradients.call(this, f, xs, dy, allowNoGradients);
    } finally {
      pass = outer;
    }
  };
}
