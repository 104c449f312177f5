import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'workers/**/*.test.ts'],
    // Stress tests start real worker threads on a 2-core machine; give them room, and run test files
    // one at a time so that two files' threads do not fight over two cores and skew each other's timing.
    testTimeout: 60_000,
    fileParallelism: false,
  },
});
