import * as tf from '@tensorflow/tfjs';

/** One op attribute as tfjs-node's binding takes it. */
export interface OpAttr {
  name: string;
  type: number;
  value: unknown;
}

/** The part of tfjs-node's backend these kernels use: one TensorFlow eager op per call. */
export interface NativeBackend {
  binding: {
    TF_ATTR_INT: number;
    TF_ATTR_FLOAT: number;
    TF_ATTR_BOOL: number;
    TF_ATTR_STRING: number;
    TF_ATTR_TYPE: number;
    TF_FLOAT: number;
    TF_INT32: number;
    /** Set by the binding `unet-setup-tensorflow` builds: 1 = list(string) and list(type) attrs. */
    UNET_PATCH_LEVEL?: number;
  };
  executeMultipleOutputs(
    name: string,
    attrs: OpAttr[],
    inputs: tf.TensorInfo[],
    numOutputs: number,
  ): tf.Tensor[];
  executeSingleOutput(name: string, attrs: OpAttr[], inputs: tf.TensorInfo[]): tf.Tensor;
}

export function nativeBackend(): NativeBackend | undefined {
  const backend = tf.backend() as unknown as Partial<NativeBackend>;
  return tf.getBackend() === 'tensorflow' && typeof backend.executeSingleOutput === 'function'
    ? (backend as NativeBackend)
    : undefined;
}

export function requireNative(kernel: string): NativeBackend {
  const native = nativeBackend();
  if (!native) throw new Error(`${kernel} needs the tensorflow backend`);
  return native;
}

export function floatType(native: NativeBackend, name = 'T'): OpAttr {
  return { name, type: native.binding.TF_ATTR_TYPE, value: native.binding.TF_FLOAT };
}

/**
 * oneDNN's own kernels (`_MklNative*`) are registered under this label; TensorFlow's eager
 * runtime sets it when it rewrites an op for oneDNN, which it does not do for pooling or fusion.
 */
export function oneDnnLabel(native: NativeBackend): OpAttr {
  return { name: '_kernel', type: native.binding.TF_ATTR_STRING, value: 'MklNameChangeOp' };
}

/** TensorFlow's padding name for tfjs's 'same' / 'valid'. */
export function tfPadding(pad: unknown): 'SAME' | 'VALID' {
  return pad === 'same' ? 'SAME' : 'VALID';
}

/**
 * Puts `kernelFunc` in front of tfjs-node's kernel `name`: it answers what it can take and returns
 * undefined for the rest, which go to the original.
 */
export function overrideKernel(
  name: string,
  kernelFunc: (args: Parameters<tf.KernelFunc>[0]) => tf.TensorInfo | tf.TensorInfo[] | undefined,
): boolean {
  const original = tf.getKernel(name, 'tensorflow');
  if (!original) return false;
  tf.unregisterKernel(name, 'tensorflow');
  tf.registerKernel({
    kernelName: name,
    backendName: 'tensorflow',
    kernelFunc: (args) => kernelFunc(args) ?? original.kernelFunc(args),
  });
  return true;
}

/** `[1, h, w, 1]` from tfjs's `number | [h, w]`. */
export function nhwcWindow(value: number | number[]): number[] {
  const [h, w] = Array.isArray(value) ? value : [value, value];
  return [1, h!, w ?? h!, 1];
}

const probes = new Map<string, boolean>();

/**
 * Whether an op runs on this TensorFlow build and device, tried once on a tiny input (oneDNN's
 * kernels exist only in x86 CPU builds; a GPU device has none of them).
 */
export function opRuns(key: string, attempt: () => tf.Tensor | tf.Tensor[]): boolean {
  let known = probes.get(key);
  if (known === undefined) {
    try {
      tf.dispose(attempt());
      known = true;
    } catch {
      known = false;
    }
    probes.set(key, known);
  }
  return known;
}
