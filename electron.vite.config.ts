import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';

export default defineConfig({
  main: {
    build: {
      // The engine's workers are entries of their own: Engine.ts's workerUrl() starts
      // out/main/worker.js, compareWorker.js, cpuThread.js and asmWorker.js, found next to the module that holds
      // Engine's code. electron-vite's default puts shared code in out/main/chunks/, one folder
      // below the entries, so every file of the main build goes in out/main/ itself: then "next to
      // this module" is the entries' folder whichever chunk Engine lands in (docs/architecture.md,
      // "Workers from source or from the build"; test/app/built.test.ts fails otherwise).
      rolldownOptions: {
        input: {
          index: resolve('src/main/index.ts'),
          worker: resolve('src/main/engine/worker.ts'),
          compareWorker: resolve('src/main/engine/compareWorker.ts'),
          cpuThread: resolve('src/main/engine/cpuThread.ts'),
          asmWorker: resolve('src/main/engine/asmWorker.ts'),
        },
        output: { entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
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
