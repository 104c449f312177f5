/**
 * Concurrent objects through defineObject, in both modes: ringbuf.js (unmodified) with its one producer
 * and one consumer is linearizable to a bounded FIFO queue at several seeds, in stress and explore;
 * with two producers the check finds a history no order of which the model accepts, prints it as
 * columns per thread, and the finding replays.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../../testing/cli.ts';

const object = 'examples/ringbuf/object.ts';
const twoProducers = 'examples/ringbuf/object-two-producers.ts';
const json = (stdout: string) => JSON.parse(stdout) as Record<string, any>;

describe('ringbuf.js as a concurrent object, as documented', () => {
  it('stress: 2,000 rounds, each history linearizable', async () => {
    const r = await runCli('stress-main.ts', [object, '--json']);
    expect(r.code, r.stdout.slice(0, 600)).toBe(0);
    expect(json(r.stdout).outcomes).toEqual([{ outcome: 'pass', rounds: 2000 }]);
  });

  it.each(['o1', 'o2', 'o3'])('explore at seed %s: 500 schedules, each history linearizable', async (seed) => {
    const r = await runCli('explore.ts', [object, '--seed', seed, '--json'], { timeoutMs: 120_000 });
    expect(r.code, r.stdout.slice(0, 600)).toBe(0);
    const out = json(r.stdout);
    expect(out.schedules).toBe(500);
    expect(out.steps / out.schedules).toBeGreaterThan(10);
  }, 150_000);
});

describe('ringbuf.js with two producers is not linearizable', () => {
  it('explore: the history as columns and the shortest prefix, and the token replays it', async () => {
    const r = await runCli('explore.ts', [twoProducers, '--json'], { timeoutMs: 120_000 });
    expect(r.code).toBe(1);
    const out = json(r.stdout);
    expect(out.finding.violation.kind).toBe('check');
    const message: string = out.finding.violation.message;
    expect(message).toMatch(/^not linearizable: no order of the operations agrees with the model; the shortest prefix that cannot be linearized ends when thread \d's (push|pop) returns:\n/);
    expect(message).toMatch(/thread 0 +\| thread 1 +\| thread 2/);
    expect(message).toMatch(/> (push|pop)\(/);
    const replay = await runCli('replay.ts', [out.replayFile ?? out.replayToken], { timeoutMs: 120_000 });
    expect(replay.code, replay.stderr).toBe(0);
    expect(replay.stdout).toContain(`trace digest ${out.traceDigest} (same as recorded)`);
  }, 180_000);

  it('stress: rounds whose history is not linearizable are counted', async () => {
    const seen: string[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      const r = await runCli('stress-main.ts', [twoProducers, '--rounds', '5000', '--json']);
      const out = json(r.stdout);
      const check = out.outcomes.find((o: { outcome: string }) => o.outcome === 'check');
      seen.push(JSON.stringify(out.outcomes.map((o: { outcome: string; rounds: number }) => [o.outcome, o.rounds])));
      if (!check) continue;
      expect(r.code).toBe(1);
      expect(check.first.message).toMatch(/^not linearizable/);
      return;
    }
    expect.fail(`stress saw no non-linearizable history in 3 x 5,000 rounds: ${seen.join(' | ')}`);
  }, 180_000);
});
