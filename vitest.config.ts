import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'twins/**/*.test.ts',
      'gateway/**/*.test.ts',
      'graphql/**/*.test.ts',
      'db/**/*.test.ts',
      'test/**/*.test.ts',
      'bench/**/*.test.ts',
    ],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: 'forks',
  },
});
