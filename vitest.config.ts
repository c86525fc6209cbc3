import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // generous: tests wait on events, so a deadline only matters when something is wrong, and a machine
    // busy with other work (load 20 on 2 cores) makes a CLI start-up or a render many times slower
    testTimeout: 240_000,
    hookTimeout: 240_000,
    teardownTimeout: 60_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    globalSetup: ['test/global-setup.ts'],
    setupFiles: ['test/helpers/reap.ts'],
    // counts for .ci/run's closing line
    reporters: ['default', ['json', { outputFile: '.vitest-results.json' }]],
  },
});
