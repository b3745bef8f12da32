// ESLint flat config: typescript-eslint's recommended rules, plus the layering of
// ARCHITECTURE.md ("who may import whom") as no-restricted-imports per folder. test/layering.test.ts
// checks the same rules by resolving every import (including dynamic ones), so a rule that a
// specifier pattern cannot express exactly is still enforced there.
import js from '@eslint/js';
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';
import { defineConfig } from 'eslint/config';

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const up = (n) => `(\\.\\./){${n}}`;
/** Deepest folder nesting the per-depth patterns cover (src/main/emulator/a/b/c/d/e/f.ts). */
const MAX_DEPTH = 6;

const ELECTRON = {
  regex: '^electron(/|$)',
  message: 'electron is imported only by src/main/index.ts and src/preload/index.ts.',
};
const BUILTINS = {
  regex: `^(node:|(${builtinModules.map(escape).join('|')})(/|$))`,
  message: 'no Node built-in modules in this layer.',
};

/**
 * One config object per nesting depth inside `folder` (a path under src/), because a relative
 * specifier's meaning depends on how deep the importing file sits.
 */
function layer({ folder, files = '*.{ts,mts,cts}', ignores = [], patterns, rules = {} }) {
  return Array.from({ length: MAX_DEPTH + 1 }, (_, d) => ({
    files: [`${folder}/${'*/'.repeat(d)}${files}`],
    ignores,
    rules: { 'no-restricted-imports': ['error', { patterns: patterns(d) }], ...rules },
  }));
}

const TESTS = ['**/*.test.ts'];

/** src/main/emulator: nothing outside itself but src/shared; no electron, node:*, builtins or packages. */
const emulatorPaths = (d) => [
  { regex: `^${up(d + 1)}(?!\\.\\./)`, message: 'the emulator imports nothing outside itself and src/shared.' },
  {
    regex: `^${up(d + 2)}(?!\\.\\./|shared(/|$))`,
    message: 'the emulator imports nothing outside itself and src/shared.',
  },
  { regex: `^${up(d + 3)}`, message: 'the emulator imports nothing outside itself and src/shared.' },
];
/** src/shared: only itself. */
const sharedPaths = (d) => [{ regex: `^${up(d + 1)}`, message: 'src/shared imports only src/shared.' }];
/** src/renderer and src/preload: never src/main. */
const notMain = (d) => [
  {
    regex: `^${up(d + 1)}main(/|$)`,
    message: 'the renderer and the preload never import src/main (use the host API).',
  },
  {
    regex: `^${up(d + 2)}src/main(/|$)`,
    message: 'the renderer and the preload never import src/main (use the host API).',
  },
];
/** src/main/asm: not the emulator. */
const notEmulator = (d) => [
  { regex: `^${up(d + 1)}emulator(/|$)`, message: 'the assembler does not import the emulator.' },
];

/** src/main/store: node:*, better-sqlite3 and src/shared only. */
const STORE_MESSAGE = 'the store imports only node:*, better-sqlite3 and src/shared.';
const storePaths = (d) => [
  { regex: `^(?![.]|node:|better-sqlite3$|(${builtinModules.map(escape).join('|')})(/|$))`, message: STORE_MESSAGE },
  { regex: `^${up(d + 1)}(?!\\.\\./|store(/|$))`, message: STORE_MESSAGE },
  { regex: `^${up(d + 2)}(?!\\.\\./|shared(/|$))`, message: STORE_MESSAGE },
  { regex: `^${up(d + 3)}`, message: STORE_MESSAGE },
];
/** Layers below the host (engine, disk) never reach the store: the host saves what they produce. */
const notStore = (d) => [{ regex: `^${up(d + 1)}store(/|$)`, message: 'only the host (and the faces) use the store.' }];

/** Nothing imports scripts/: they are entries (test/layering.test.ts checks every file exactly). */
const NOT_SCRIPTS = {
  regex: '^(\\.\\./)+scripts(/|$)',
  message: 'nothing imports scripts/ (shared code lives under src).',
};
/** The faces (cli, web) reach the rest of src/main only through the host. */
const throughHost = (d) => [
  {
    regex: `^${up(d + 1)}(emulator|engine|disk|asm|store|docs)(/|$)`,
    message: 'the faces reach the machine only through the host (src/main/host).',
  },
];
/** Today's exceptions (FACE_EXCEPTIONS in test/layering.test.ts, each with its reason). */
const FACE_EXCEPTION_FILES = ['src/main/cli/run.ts', 'src/main/cli/boot.ts'];

const DETERMINISM = {
  'no-restricted-globals': [
    'error',
    ...['process', 'setTimeout', 'setInterval', 'setImmediate', 'performance'].map((name) => ({
      name,
      message: 'the emulator is deterministic: clocks, timers and the environment come in through interfaces.',
    })),
  ],
  'no-restricted-properties': [
    'error',
    ...[
      ['Date', 'now'],
      ['performance', 'now'],
      ['Math', 'random'],
    ].map(([object, property]) => ({
      object,
      property,
      message: 'the emulator is deterministic: clocks and randomness come in through interfaces.',
    })),
  ],
};

export default defineConfig(
  { ignores: ['out/', 'node_modules/', 'disks/', 'dist/', 'test-results/', '.tmp/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
      },
    },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },

  // electron stays in the thin shell and the preload.
  {
    files: ['src/**/*.{ts,mts,cts}', 'test/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [ELECTRON] }] },
  },
  { files: ['src/main/index.ts'], rules: { 'no-restricted-imports': 'off' } },

  ...layer({
    folder: 'src/main/emulator',
    ignores: TESTS,
    patterns: (d) => [
      {
        regex: '^[^.]',
        message:
          'the emulator imports nothing outside itself and src/shared: no electron, node:*, builtins or packages.',
      },
      ...emulatorPaths(d),
    ],
    rules: DETERMINISM,
  }),
  ...layer({ folder: 'src/main/emulator', files: '*.test.ts', patterns: (d) => [ELECTRON, ...emulatorPaths(d)] }),

  ...layer({
    folder: 'src/shared',
    ignores: TESTS,
    patterns: (d) => [{ regex: '^[^.]', message: 'src/shared imports only src/shared.' }, ...sharedPaths(d)],
  }),
  ...layer({ folder: 'src/shared', files: '*.test.ts', patterns: (d) => [ELECTRON, ...sharedPaths(d)] }),

  ...layer({ folder: 'src/renderer', patterns: (d) => [ELECTRON, BUILTINS, ...notMain(d)] }),
  ...layer({ folder: 'src/preload', ignores: ['src/preload/index.ts'], patterns: (d) => [ELECTRON, ...notMain(d)] }),
  { files: ['src/preload/index.ts'], rules: { 'no-restricted-imports': ['error', { patterns: notMain(0) }] } },

  ...layer({ folder: 'src/main/asm', ignores: TESTS, patterns: (d) => [ELECTRON, BUILTINS, ...notEmulator(d)] }),
  ...layer({ folder: 'src/main/asm', files: '*.test.ts', patterns: (d) => [ELECTRON, ...notEmulator(d)] }),

  ...layer({ folder: 'src/main/store', ignores: TESTS, patterns: (d) => [ELECTRON, ...storePaths(d)] }),
  ...layer({ folder: 'src/main/engine', patterns: (d) => [ELECTRON, NOT_SCRIPTS, ...notStore(d)] }),
  ...layer({ folder: 'src/main/disk', patterns: (d) => [ELECTRON, NOT_SCRIPTS, ...notStore(d)] }),
  ...layer({ folder: 'src/main/host', patterns: () => [ELECTRON, NOT_SCRIPTS] }),

  ...layer({
    folder: 'src/main/cli',
    ignores: FACE_EXCEPTION_FILES,
    patterns: (d) => [ELECTRON, NOT_SCRIPTS, ...throughHost(d)],
  }),
  ...layer({ folder: 'src/main/web', patterns: (d) => [ELECTRON, NOT_SCRIPTS, ...throughHost(d)] }),
  {
    files: ['scripts/**/*.{ts,mts,mjs}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ELECTRON,
            {
              regex: '^\\.\\./src/(?!main/host/|shared/)',
              message: 'scripts reach src only through the host and src/shared.',
            },
          ],
        },
      ],
    },
  },
);
