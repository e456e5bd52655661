import { defineConfig } from 'tsup';
import { packageConfig } from '../../tsup.config.base';

export default defineConfig({
  ...packageConfig,
  // Losses and metrics are registered, and shown by tfjs, under their function names.
  keepNames: true,
});
