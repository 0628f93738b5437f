import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // graphql ships CommonJS (index.js) and ESM (index.mjs) without an exports map: Node gives
    // packages the CommonJS build, Vite would give our sources the ESM one, and the schema would
    // mix types of two graphql copies. Everything gets the copy Node gives, as in production.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: [
      'twins/**/*.test.ts',
      'gateway/**/*.test.ts',
      'graphql/**/*.test.ts',
      'db/**/*.test.ts',
      'outbound/**/*.test.ts',
      'test/**/*.test.ts',
      'bench/**/*.test.ts',
      'deploy/**/*.test.ts',
    ],
    globalSetup: ['test/global-setup.ts'],
    setupFiles: ['test/setup-flight-recorder.ts'],
    testTimeout: 60_000,
    // expect.poll's own default is 1 s: a loaded 2-core CI machine (a browser, Temporal and
    // PostgreSQL beside the test) can take longer to show what a test waits for.
    expect: { poll: { timeout: 5_000 } },
    hookTimeout: 180_000,
    pool: 'forks',
  },
});
