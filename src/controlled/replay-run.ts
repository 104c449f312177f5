/**
 * Replaying a token: the same scenario, allocator and size, the recorded schedule step by step. A
 * replay that departs from the recording stops at that step and says so; one that follows it to the
 * end must give the same violation and the same trace digest.
 */
import type { Engine } from './engine.ts';
import { loadAllocatorInfo } from '../alloc/load-allocator.ts';
import { UsageError } from '../io/usage-error.ts';
import { loadScenario } from '../scenario/load.ts';
import { coordinatorFor, pickViolation, type RunSize } from './explore.ts';
import { Replay } from './strategies/replay.ts';
import type { PointsMode } from './plain-access-mode.ts';
import { type CheckedToken, settingsHash } from './token.ts';
import { type ReplayOutcome, replayOutcome } from './replay-outcome.ts';

export interface ReplayResult extends ReplayOutcome {
  token: CheckedToken;
  size: RunSize;
}

/**
 * Replays a token that decodeToken (token.ts) has checked: only then are its scenario and allocator loaded,
 * from the files the check found (see token-files.ts). `points`: the scheduling points to replay with
 * (`--points`); default: those the token was made with. `engine`: which engine runs it (`--engine`);
 * a token replays the same on either.
 */
export async function replay(token: CheckedToken, points?: PointsMode, engine?: Engine): Promise<ReplayResult> {
  const ref = token.files.allocator;
  if (!ref) throw new Error('replay: a program token is replayed by replayProgram');
  const { scenario } = await loadScenario(token.files.scenario);
  if (settingsHash(scenario) !== token.settings) {
    throw new UsageError(`stale replay token: ${token.scenario} has changed since the token was made; explore again for a new one`);
  }
  // The module is imported in a user host, never here: its top level is user code.
  const allocator = { ref, name: token.allocator, definition: await loadAllocatorInfo(ref, token.allocator, token.pages) };
  const size: RunSize = { threads: token.threads, ops: token.ops, pages: token.pages, maxHeldPages: token.maxHeldPages };
  // A recorded livelock ended at its step budget, so it gets the same budget back; any other run may
  // take one step more, so that going on past the recording is reported as departing from it.
  const stepBudget = token.kind === 'livelock' ? token.schedule.length : token.schedule.length + 1;
  // A token made before plain accesses could be points was made with Atomics calls only.
  const coordinator = coordinatorFor({ scenario: { ...scenario, seed: token.seed }, allocator, stepBudget, lock: token.lock, points: points ?? token.points ?? 'atomics', ...(engine ? { engine } : {}) }, size);
  try {
    const result = await coordinator.run(new Replay(token.schedule, token.hashes));
    const violation = result.violations.length > 0 ? pickViolation(result.violations, scenario.explore.expect) : undefined;
    return { token, size, ...replayOutcome(token, result, size.threads, violation) };
  } finally {
    await coordinator.close();
  }
}
