import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'workers/**/*.test.ts'],
    // Stress tests start real worker threads on a 2-core machine; give them room, and run test files
    // one at a time so that two files' threads do not fight over two cores and skew each other's timing.
    testTimeout: 60_000,
    fileParallelism: false,
    // Tests marked concurrent (explorations, whose results do not depend on timing) run two at a time:
    // their workers mostly wait on each other's turn, so two share two cores with little loss.
    maxConcurrency: 2,
  },
});
