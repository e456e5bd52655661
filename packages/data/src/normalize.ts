// The percentile stretch lives in @unet/infer so a browser applies the same normalisation as the
// satellite reader (bundles record it); re-exported here for the readers and existing users.
export { normalizePercentiles, type PercentileOptions } from '@unet/infer';
