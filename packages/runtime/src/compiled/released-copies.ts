// tfjs's own copies of the variables a compiled step updates are stale between syncs, yet as
// large as the weights and optimizer state together (0.37 GB on the paper preset). Once the
// session has them they are released, and fetched back from the session, under the same tensor,
// when anything reads one (an op, dataSync, a clone): tfjs sees its tensors with the session's
// values. A fetch is a binding tensor over TensorFlow's buffer, not a copy in JavaScript.
import type * as tf from '@tensorflow/tfjs';
import type { NodeBackend } from './recorder.js';

/** Makes a binding tensor holding the value; returns its id. */
type Fetch = () => number;

/** Per backend: released dataId -> how to fetch its value back. */
const tables = new WeakMap<object, WeakMap<object, Fetch>>();

/** The backend's table, hooking its tensor lookups the first time. */
function tableOf(backend: NodeBackend): WeakMap<object, Fetch> {
  const known = tables.get(backend);
  if (known) return known;
  const table = new WeakMap<object, Fetch>();
  const store = backend.tensorMap;
  const get = store.get.bind(store);
  // Every read of a tensor's data in tfjs-node goes through tensorMap.get.
  store.get = (dataId) => {
    const fetch = table.get(dataId);
    const data = get(dataId);
    if (fetch && data) {
      // Fetched first: a fetch that throws leaves the tensor released, to be fetched again.
      const id = fetch();
      table.delete(dataId);
      data.id = id;
    }
    return data;
  };
  // Disposing a released tensor needs no fetch: it has nothing in TensorFlow to free.
  const dispose = backend.disposeData.bind(backend);
  backend.disposeData = (dataId, force) => {
    table.delete(dataId);
    return dispose(dataId, force);
  };
  tables.set(backend, table);
  return table;
}

/**
 * Frees `v`'s data in tfjs, to be fetched back by `fetch` when read (or, when it is released
 * already, changes how). Only a tensor that nothing else shares (a clone would see the fetched
 * value too). Returns whether `v` is released.
 */
export function releaseCopy(backend: NodeBackend, v: tf.Variable, fetch: Fetch): boolean {
  const table = tableOf(backend);
  if (table.has(v.dataId)) {
    table.set(v.dataId, fetch);
    return true;
  }
  const data = backend.tensorMap.get(v.dataId);
  if (data?.refCount !== 1) return false;
  if (data.id >= 0) backend.binding.deleteTensor(data.id);
  data.id = -1;
  data.values = null;
  table.set(v.dataId, fetch);
  return true;
}

/** Whether `v`'s data is released. */
export function isReleased(backend: NodeBackend, v: tf.Variable): boolean {
  return tableOf(backend).has(v.dataId);
}
