/**
 * `{ name: 'prefix_suffix' }` when a prefix is given, else `{}` so TensorFlow.js picks a unique
 * name. Blocks name their layers this way: `enc1_conv1`, `dec2_up`, ... which is what
 * {@link summarizeUnet} groups by.
 */
export function layerName(prefix: string | undefined, suffix: string): { name?: string } {
  return prefix === undefined ? {} : { name: `${prefix}_${suffix}` };
}
