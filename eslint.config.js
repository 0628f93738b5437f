// @ts-check
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import globals from 'globals';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
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
    // Activities and the worker process reach PostgreSQL through db/ and tenant URLs through
    // outbound/, never through the gateway's code (issue 18).
    files: ['workflows/activities/**/*.ts', 'workflows/worker/**/*.ts'],
    ignores: ['workflows/**/*.test.ts'],
    patterns: [
      folder(
        'gateway',
        'Activities do not import the gateway: share through db/, outbound/ or twins/.',
      ),
      folder('graphql', 'Activities do not import the API.'),
      folder(
        'deploy',
        'Activities take their configuration as arguments; deploy/ wires processes.',
      ),
    ],
  },
  {
    // Outbound HTTP (egress rules, the webhook signer): the worker, the gateway and the API use it.
    files: ['outbound/**/*.ts'],
    patterns: [
      folder('db', 'outbound/ is neutral: it imports twins/ only.'),
      folder('workflows', 'outbound/ is neutral: it imports twins/ only.'),
      folder('gateway', 'outbound/ is neutral: it imports twins/ only.'),
      folder('graphql', 'outbound/ is neutral: it imports twins/ only.'),
      folder('deploy', 'outbound/ is neutral: it imports twins/ only.'),
    ],
  },
  {
    // Metrics listeners and tracing: every role uses them, they import none of the roles.
    files: ['observability/**/*.ts'],
    patterns: [
      folder('db', 'observability/ is neutral: it imports twins/ only.'),
      folder('workflows', 'observability/ is neutral: it imports twins/ only.'),
      folder('gateway', 'observability/ is neutral: it imports twins/ only.'),
      folder('graphql', 'observability/ is neutral: it imports twins/ only.'),
      folder('deploy', 'observability/ is neutral: it imports twins/ only.'),
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

/**
 * SQL lives in db/: the query builder, the driver and the tables are imported nowhere else. Tests may
 * reach into the database to check what was written; bench/ seeds and probes what it measures.
 * (A rule of its own, core `no-restricted-imports`: the layers above each set the typescript
 * rule, and a second config setting that one would replace their options, not add to them.)
 */
const sqlMessage = 'SQL lives in db/: add a function to a db/ module and call it.';
const sqlOnlyInDb = {
  files: ['**/*.ts'],
  ignores: ['db/**', 'bench/**', 'test/**', '**/*.test.ts'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        paths: ['drizzle-orm', 'postgres'].map((name) => ({ name, message: sqlMessage })),
        patterns: [
          { group: ['drizzle-orm/*'], message: sqlMessage },
          // With the tables in hand, `database.db.select()` needs no drizzle import at all.
          { group: ['**/db/schema', '**/db/schema/**'], message: sqlMessage },
        ],
      },
    ],
  },
};

/** No import cycles among our own files (type-only imports do not count: they vanish at run time). */
const noCycles = {
  files: ['**/*.ts'],
  plugins: { 'import-x': importX },
  settings: {
    // Without these the plugin skips .ts files it reaches and finds no cycle at all.
    'import-x/extensions': ['.ts', '.js'],
    'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
    'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json'] })],
  },
  rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
};

/**
 * A file past ~300 lines asks to be split (STYLE.md); past 400 lines of code it fails. Tests
 * (tables and scenarios) and bench/ (measurement scripts) get 600.
 */
const fileSize = [
  {
    files: ['**/*.ts'],
    rules: { 'max-lines': ['error', { max: 400, skipBlankLines: true, skipComments: true }] },
  },
  {
    files: ['**/*.test.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: { 'max-lines': ['error', { max: 600, skipBlankLines: true, skipComments: true }] },
  },
];

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      '.data/',
      '.tools/',
      'db/migrations/',
      'test/fixtures/',
      'graphql/console/dist/',
    ],
  },
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
  sqlOnlyInDb,
  noCycles,
  ...fileSize,
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
