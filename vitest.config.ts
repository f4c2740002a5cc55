import { defineConfig } from 'vitest/config';

// One runner for every package. The `@switchyard/source` condition makes workspace imports resolve to
// TypeScript sources, so tests never run against a stale `dist/`.
export default defineConfig({
  resolve: { conditions: ['@switchyard/source'] },
  ssr: { resolve: { conditions: ['@switchyard/source'], externalConditions: ['@switchyard/source'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
