/**
 * Real third-party code, unmodified: ringbuf.js from the npm registry. Used as documented (one producer,
 * one consumer) it passes both modes at several seeds; with two producers it is caught in both, and the
 * controlled finding replays.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../../testing/cli.ts';

const spsc = 'examples/ringbuf/spsc.ts';
const twoProducers = 'examples/ringbuf/two-producers.ts';
const json = (stdout: string) => JSON.parse(stdout) as Record<string, any>;

describe('ringbuf.js, one producer and one consumer, as documented', () => {
  it('stress: every round passes', async () => {
    const r = await runCli('stress-main.ts', [spsc, '--rounds', '1000', '--json']);
    expect(r.code, r.stdout).toBe(0);
    expect(json(r.stdout).outcomes).toEqual([{ outcome: 'pass', rounds: 1000 }]);
  });

  it.each(['r1', 'r2', 'r3'])('explore at seed %s: 300 schedules, each through the ring filling and emptying, no violation', async (seed) => {
    const r = await runCli('explore.ts', [spsc, '--seed', seed, '--runs', '300', '--json'], { timeoutMs: 120_000 });
    expect(r.code, r.stdout.slice(0, 500)).toBe(0);
    const out = json(r.stdout);
    expect(out.schedules).toBe(300);
    // 12 items through a ring of 5, each push and pop a few accesses: far more than an empty run.
    expect(out.steps / out.schedules).toBeGreaterThan(50);
  }, 150_000);
});

describe('ringbuf.js with two producers, against its contract', () => {
  it('explore catches the lost item, and the token replays it', async () => {
    const r = await runCli('explore.ts', [twoProducers, '--json'], { timeoutMs: 120_000 });
    expect(r.code).toBe(1);
    const out = json(r.stdout);
    expect(out.finding.violation.kind).toBe('assertion');
    expect(out.finding.violation.message).toMatch(/^thread 2 failed: received .*, expected each of 1,2,3,101,102,103 once$/);
    expect(out.finding.trace).toMatch(/write_ptr/);
    const replay = await runCli('replay.ts', [out.replayFile ?? out.replayToken], { timeoutMs: 120_000 });
    expect(replay.code, replay.stderr).toBe(0);
    expect(replay.stdout).toContain(`trace digest ${out.traceDigest} (same as recorded)`);
  }, 180_000);

  it('stress catches it too', async () => {
    const seen: string[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      const r = await runCli('stress-main.ts', [twoProducers, '--rounds', '5000', '--json']);
      const out = json(r.stdout);
      seen.push(JSON.stringify(out.outcomes));
      const assertion = out.outcomes.find((o: { outcome: string }) => o.outcome === 'assertion');
      if (!assertion) continue;
      expect(r.code).toBe(1);
      expect(assertion.first.message).toMatch(/expected each of 1,2,3,101,102,103 once$/);
      return;
    }
    expect.fail(`stress never lost an item in 3 x 5,000 rounds: ${seen.join(' | ')}`);
  }, 180_000);
});
