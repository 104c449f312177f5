/**
 * Programs in both modes, through the commands a user types: a correct program passes stress and
 * explore at several seeds; the racy counter (load, then store) fails both, and its token replays the
 * same trace; a lock-order deadlock is a deadlock naming both threads and what each waits on; a throw
 * while another thread waits on the thrower's lock is the throw's round, not a deadlock.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../../testing/cli.ts';

const racy = 'examples/programs/racy-counter.ts';
const atomic = 'examples/programs/atomic-counter.ts';
const deadlock = 'examples/programs/lock-order-deadlock.ts';
const fixtures = 'src/subjects/program/fixtures';

const json = (stdout: string) => JSON.parse(stdout) as Record<string, any>;

describe('a correct program passes both modes', () => {
  it('stress: 2,000 rounds, every one a pass', async () => {
    const r = await runCli('stress-main.ts', [atomic, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = json(r.stdout);
    expect(out.completed).toBe(2000);
    expect(out.outcomes).toEqual([{ outcome: 'pass', rounds: 2000 }]);
  });

  it.each(['s1', 's2', 's3'])('explore at seed %s: 500 schedules run to their end and checked, no violation', async (seed) => {
    const r = await runCli('explore.ts', [atomic, '--seed', seed, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = json(r.stdout);
    expect(out.schedules).toBe(500);
    // 3 threads x 3 adds, a start and an end each: real interleavings, not empty runs.
    expect(out.steps).toBeGreaterThanOrEqual(500 * 12);
    expect(out.finding).toBeUndefined();
  });
});

describe('the racy counter fails both modes', () => {
  it('stress counts the rounds that lost increments', async () => {
    // Real threads on two shared cores may run one after the other for a whole run: a few tries, as a
    // user would make, before saying stress missed it.
    const seen: string[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      const r = await runCli('stress-main.ts', [racy, '--json']);
      const out = json(r.stdout);
      const check = out.outcomes.find((o: { outcome: string }) => o.outcome === 'check');
      seen.push(JSON.stringify(out.outcomes));
      if (!check) continue;
      expect(r.code).toBe(1);
      expect(check.first.message).toMatch(/^count is \d+, expected 4000: \d+ increments were lost$/);
      expect(out.explore).toBe(`npm run explore -- ${racy}`);
      return;
    }
    expect.fail(`stress never lost an increment in 3 x 2,000 rounds: ${seen.join(' | ')}`);
  });

  it('explore finds the lost increment, and its token replays the same trace', async () => {
    const r = await runCli('explore.ts', [racy, '--json'], { timeoutMs: 120_000 });
    expect(r.code).toBe(1);
    const out = json(r.stdout);
    expect(out.finding.violation.kind).toBe('check');
    expect(out.finding.trace).toMatch(/load i32\[0\] \(count\)/);
    // Shrinking leaves the switches the lost update needs: a thread preempted between its load and store.
    expect(out.finding.preemptions).toBeLessThanOrEqual(3);
    const replay = await runCli('replay.ts', [out.replayFile ?? out.replayToken], { timeoutMs: 120_000 });
    expect(replay.code, replay.stderr).toBe(0);
    expect(replay.stdout.split('\n')[0]).toBe(`replay loads program ${racy}`);
    expect(replay.stdout).toContain(`trace digest ${out.traceDigest} (same as recorded)`);
  }, 180_000);
});

describe('deadlocks', () => {
  it('explore: two locks taken in opposite orders, named with both threads and what each waits on', async () => {
    const r = await runCli('explore.ts', [deadlock, '--json']);
    expect(r.code).toBe(1);
    const v = json(r.stdout).finding.violation;
    expect(v.kind).toBe('deadlock');
    expect(v.threads.sort()).toEqual([0, 1]);
    expect(v.message).toMatch(/thread 0 waits on i32\[[01]\] \(lock [AB]\), thread 1 waits on i32\[[01]\] \(lock [AB]\)/);
  });

  it('stress: a round in which every thread blocks is counted as a deadlock, and the run goes on', async () => {
    const r = await runCli('stress-main.ts', [`${fixtures}/certain-deadlock.ts`, '--rounds', '10', '--json']);
    expect(r.code).toBe(1);
    const out = json(r.stdout);
    expect(out.completed).toBe(10);
    expect(out.outcomes).toHaveLength(1);
    expect(out.outcomes[0].outcome).toBe('deadlock');
    expect(out.outcomes[0].rounds).toBe(10);
    // Named through the program's describe, as controlled mode names them.
    expect(out.outcomes[0].first.message).toBe('every unfinished thread is blocked: thread 0 waits on i32[1] (lock 1), thread 1 waits on i32[0] (lock 0)');
  });

  it('a throw while another thread waits on the thrower\'s lock is a failed assertion, not a deadlock, in both modes', async () => {
    const stress = json((await runCli('stress-main.ts', [`${fixtures}/throw-holding-lock.ts`, '--rounds', '50', '--json'])).stdout);
    expect(stress.outcomes.map((o: { outcome: string }) => o.outcome)).toEqual(['assertion']);
    expect(stress.completed).toBe(50);
    const explore = json((await runCli('explore.ts', [`${fixtures}/throw-holding-lock.ts`, '--json'])).stdout);
    expect(explore.finding.violation.kind).toBe('assertion');
    expect(explore.finding.violation.message).toBe('thread 0 failed: invariant broken while holding the lock');
  });
});

describe('bad programs are one line and exit 2', () => {
  it.each([['stress-main.ts'], ['explore.ts']])('%s', async (entry) => {
    const r = await runCli(entry, [`${fixtures}/bad-threads.ts`]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/bad-threads\.ts: threads: expected an integer from 1 to 64, got 0/);
  });
});
