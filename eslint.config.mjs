// eslint: typescript-eslint's recommended rules, no import cycles, and the pipeline's direction of dependencies
// (a stage imports only the stages below it; features import stages, never each other; nothing imports cli/ or
// app.ts). See the README's Layout section for the picture these zones enforce.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

const BASE = ['./src/errors.ts', './src/freeze.ts'];
/** What each folder of src/ may import, besides itself and the base modules. */
const ALLOWED = {
  dtdl: [],
  store: ['./src/dtdl'],
  events: ['./src/store'],
  // Identities, keys and tokens: below the transport, beside the services; its roles are what the graphql
  // stage annotates root fields with.
  access: ['./src/store', './src/config.ts'],
  graphql: ['./src/dtdl', './src/store', './src/events', './src/access/identity.ts'],
  services: ['./src/dtdl', './src/store', './src/events', './src/graphql'],
  api: [
    './src/access',
    './src/dtdl',
    './src/store',
    './src/events',
    './src/graphql',
    './src/services',
    './src/config.ts',
    './src/feature.ts',
  ],
  demo: ['./src/dtdl', './src/store', './src/services'],
  analytics: [
    './src/dtdl',
    './src/store',
    './src/events',
    './src/graphql',
    './src/services',
    './src/feature.ts',
    './src/demo/models.ts',
  ],
  // The device simulator (`twingraph simulate`) continues the demo firm's devices, so devices may read demo/.
  devices: [
    './src/dtdl',
    './src/store',
    './src/events',
    './src/graphql',
    './src/services',
    './src/feature.ts',
    './src/config.ts',
    './src/demo',
  ],
  mirror: [
    './src/dtdl',
    './src/store',
    './src/events',
    './src/graphql',
    './src/services',
    './src/feature.ts',
    './src/config.ts',
  ],
};
const STAGES = [
  'dtdl',
  'store',
  'events',
  'access',
  'graphql',
  'services',
  'api',
  'demo',
  'analytics',
  'mirror',
  'devices',
  'cli',
];
const TOP = ['./src/app.ts', './src/index.ts', './src/config.ts', './src/feature.ts'];

const zones = Object.entries(ALLOWED).flatMap(([stage, allowed]) => {
  const message = `the ${stage} stage may import only ${[...allowed, ...BASE].join(', ') || 'itself'} (see README: Layout).`;
  const forbidden = STAGES.filter((s) => s !== stage && !allowed.includes(`./src/${s}`)).map((s) => `./src/${s}`);
  // A single file allowed out of a forbidden folder (the demo's model ids for the analytics) gets a zone of its own.
  const single = allowed.filter((a) => a.endsWith('.ts') && forbidden.some((f) => a.startsWith(`${f}/`)));
  return [
    {
      target: `./src/${stage}`,
      from: [
        ...forbidden.filter((f) => !single.some((a) => a.startsWith(`${f}/`))),
        ...TOP.filter((t) => !allowed.includes(t)),
      ],
      message,
    },
    ...single.map((file) => {
      const folder = forbidden.find((f) => file.startsWith(`${f}/`));
      return { target: `./src/${stage}`, from: folder, except: [`./${file.slice(folder.length + 1)}`], message };
    }),
  ];
});

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'explorer/dist/',
      'data/',
      'coverage/',
      'scratch/',
      'codegen/graphql.ts',
      '**/*.d.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  importX.flatConfigs.typescript,
  {
    files: ['**/*.ts'],
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })] },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            ...zones,
            { target: './src/app.ts', from: './src/cli', message: 'nothing imports cli/: it is the top.' },
          ],
        },
      ],
    },
  },
  { languageOptions: { globals: globals.node } },
  {
    // Specifications read dynamic GraphQL answers and JSON; `any` there keeps them readable.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // The command's launcher and jest's hooks are CommonJS, loaded by node and jest as they are.
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
