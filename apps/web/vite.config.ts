import { defineConfig } from 'vite';

// Relative asset paths, so the built page works from any folder or sub-path it is served from.
export default defineConfig({
  base: './',
  build: { outDir: 'dist', target: 'es2022', chunkSizeWarningLimit: 4096 },
  preview: { host: '127.0.0.1' },
});
