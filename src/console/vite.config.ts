// The agent console: `node scripts/build-console.mjs` builds it into dist/console, served by Koa at /console/.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: here,
  base: '/console/',
  plugins: [react()],
  // The console's own files only; the widget has its own config (src/console/widget/vite.config.ts).
  publicDir: false,
  build: {
    outDir: resolve(here, '..', '..', 'dist', 'console'),
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
  },
});
