// `vite build -c src/console/widget/vite.config.ts`: the chat widget as one self-contained IIFE,
// dist/console/widget.js, served at /widget.js. It shares dist/console with the console SPA, so
// this build never empties the folder.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  publicDir: false,
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('../../../dist/console', import.meta.url)),
    emptyOutDir: false,
    copyPublicDir: false,
    sourcemap: false,
    // A shop's visitors come with whatever phone browser they have.
    target: 'es2020',
    lib: {
      entry: fileURLToPath(new URL('widget.ts', import.meta.url)),
      name: 'KefuBridgeWidget',
      formats: ['iife'],
      fileName: () => 'widget.js',
    },
  },
});
