// @ts-check
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Node built-ins, bare and with the node: prefix, matched by exact name. */
const builtinMessage =
  'No Node built-ins here: this code must run in the Temporal workflow sandbox and in tests (STYLE.md, layering).';
const builtins = builtinModules
  .flatMap((m) => [m, `node:${m}`])
  .map((name) => ({ name, message: builtinMessage }));
const folder = (name, why) => ({ group: [`**/${name}`, `**/${name}/**`], message: why });

/** The layering of STYLE.md: each folder lists what it must not import. */
const layers = [
  {
    files: ['twins/**/*.ts'],
    pure: true,
    patterns: [
      folder('db', 'twins/ is pure: no I/O layers.'),
      folder('workflows', 'twins/ imports nothing else of ours.'),
      folder('gateway', 'twins/ imports nothing else of ours.'),
      folder('graphql', 'twins/ imports nothing else of ours.'),
      folder('deploy', 'twins/ imports nothing else of ours.'),
    ],
  },
  {
    // Workflow code: everything in workflows/ except activities, the worker and the client helpers.
    files: ['workflows/**/*.ts'],
    ignores: [
      'workflows/activities/**',
      'workflows/worker/**',
      'workflows/**/client.ts',
      'workflows/**/*.test.ts',
    ],
    pure: true,
    patterns: [
      folder('db', 'Workflow code reaches PostgreSQL only through activities.'),
      folder('gateway', 'Workflow code does not import the gateway.'),
      folder('graphql', 'Workflow code does not import the API.'),
      folder('deploy', 'Workflow code does not import process wiring.'),
      {
        group: [
          '@temporalio/client',
          '@temporalio/worker',
          '@temporalio/activity',
          'pino',
          'postgres',
          'drizzle-orm',
          'drizzle-orm/*',
        ],
        message: 'Not allowed in the workflow sandbox.',
      },
      {
        group: ['**/activities', '**/activities/**'],
        allowTypeImports: true,
        message: 'Import activities as types only (proxyActivities).',
      },
    ],
  },
  {
    files: ['db/**/*.ts'],
    patterns: [
      folder('workflows', 'db/ may import twins/ types only.'),
      folder('gateway', 'db/ may import twins/ types only.'),
      folder('graphql', 'db/ may import twins/ types only.'),
      folder('deploy', 'db/ may import twins/ types only.'),
    ],
  },
  {
    files: ['gateway/**/*.ts'],
    patterns: [
      folder('graphql', 'gateway/ and graphql/ never import each other.'),
      folder('deploy', 'gateway/ takes its configuration as options; deploy/ wires processes.'),
      folder('workflows/activities', 'Use the workflows’ public message and client definitions.'),
      folder('workflows/worker', 'Use the workflows’ public message and client definitions.'),
    ],
  },
  {
    files: ['graphql/**/*.ts'],
    patterns: [
      folder('gateway', 'gateway/ and graphql/ never import each other.'),
      folder('deploy', 'graphql/ takes its configuration as options; deploy/ wires processes.'),
      folder('workflows/activities', 'Use the workflows’ public message and client definitions.'),
      folder('workflows/worker', 'Use the workflows’ public message and client definitions.'),
    ],
  },
  {
    // The operator CLI is a client of the API like any other: it reaches nothing but GraphQL.
    files: ['graphql/cli/**/*.ts'],
    patterns: [
      folder('gateway', 'The CLI speaks to the API only.'),
      folder('deploy', 'The CLI speaks to the API only.'),
      folder('db', 'The CLI speaks to the API only.'),
      folder('workflows', 'The CLI speaks to the API only.'),
      folder('schema', 'The CLI speaks to the API only.'),
      {
        group: ['@temporalio/*', 'postgres', 'drizzle-orm', 'drizzle-orm/*'],
        message: 'The CLI speaks to the API only.',
      },
    ],
  },
];

export default tseslint.config(
  { ignores: ['node_modules/', '.data/', '.tools/', 'db/migrations/', 'test/fixtures/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  ...layers.map(({ files, ignores, patterns, pure }) => ({
    files,
    ...(ignores ? { ignores } : {}),
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns, ...(pure ? { paths: builtins } : {}) },
      ],
    },
  })),
);
