// The load generator's own tests, without the suite's Temporal/PostgreSQL global setup:
// `npx vitest run -c bench/loadgen/vitest.config.ts`.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { include: ['bench/loadgen/**/*.test.ts'], testTimeout: 30_000, pool: 'forks' },
});
