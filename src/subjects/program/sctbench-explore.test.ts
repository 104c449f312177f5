/**
 * Every SCTBench port (examples/sctbench) is found by the command a user types, `npm run explore --
 * <port>`, with its defaults (the portfolio, 500 schedules), and fails the way its original does.
 * Exploration is deterministic for a seed, so this also holds each port's finding steady; the
 * bug-finding benchmark (npm run bench:explore -- --programs examples/sctbench) measures over seeds.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../../testing/cli.ts';

const expected: Record<string, string> = {
  'aget-bug2': 'assertion',
  'chess-autoresetevent1': 'deadlock',
  'chess-boundedqueue': 'deadlock',
  'chess-choizeller': 'check',
  'chess-deadlock': 'deadlock',
  'chess-selfdeadlock': 'deadlock',
  'chess-signalwait2': 'deadlock',
  'chess-volatile2': 'check',
  'ctrace-test': 'assertion',
  'pbzip2-0.9.4': 'assertion',
  qsort_mt: 'check',
  'stringbuffer-jdk1.4': 'assertion',
};

// Explorations are deterministic for a seed, whatever else the machine runs: two at a time.
describe.concurrent('explore finds every SCTBench port with its defaults', () => {
  it.each(Object.entries(expected))('%s: %s', async (port, kind) => {
    const r = await runCli('explore.ts', [`examples/sctbench/${port}.ts`, '--json'], { timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.finding?.violation.kind, r.stdout.slice(0, 400)).toBe(kind);
    expect(out.replayToken).toMatch(/^pagerace1\./);
  }, 150_000);
});
