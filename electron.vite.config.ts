import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';

export default defineConfig({
  main: {
    build: {
      // The engine's workers are entries of their own: Engine.ts starts out/main/worker.js,
      // out/main/compareWorker.js and out/main/cpuThread.js when they sit next to the built app.
      rolldownOptions: {
        input: {
          index: resolve('src/main/index.ts'),
          worker: resolve('src/main/engine/worker.ts'),
          compareWorker: resolve('src/main/engine/compareWorker.ts'),
          cpuThread: resolve('src/main/engine/cpuThread.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      rolldownOptions: {
        input: { index: resolve('src/preload/index.ts') },
        // A sandboxed preload must be a classic script: CommonJS, whatever the package's "type".
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve('src/renderer'),
    build: {
      minify: true,
      rolldownOptions: { input: { index: resolve('src/renderer/index.html') } },
    },
  },
});
