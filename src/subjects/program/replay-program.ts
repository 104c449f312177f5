/**
 * Replaying a program's token: the module (found and checked by the token's own checks) imported in a
 * worker to read its fields, which must still be those recorded, then the recorded schedule step by step.
 */
import type { Engine } from '../../controlled/engine.ts';
import { UsageError } from '../../io/usage-error.ts';
import { Replay } from '../../controlled/strategies/replay.ts';
import type { PointsMode } from '../../controlled/plain-access-mode.ts';
import type { CheckedToken } from '../../controlled/token.ts';
import { type ReplayOutcome, replayOutcome } from '../../controlled/replay-outcome.ts';
import { programCoordinator, programSettings } from './explore-program.ts';
import { loadProgramInfo } from './load-program.ts';

export type ProgramReplayResult = ReplayOutcome;

export async function replayProgram(token: CheckedToken, points?: PointsMode, engine?: Engine): Promise<ProgramReplayResult> {
  const info = await loadProgramInfo(token.files.scenario, token.scenario);
  if (!info) throw new UsageError(`replay token names the program ${token.scenario}, whose default export is no longer a program`);
  if (programSettings(info) !== token.settings || info.threads !== token.threads) {
    throw new UsageError(`stale replay token: program ${token.scenario} has changed (its name, threads or sharedBytes) since the token was made; explore again for a new one`);
  }
  // A recorded livelock ended at its step budget; any other run may take one step more, so that going
  // on past the recording is reported as departing from it.
  const stepBudget = token.kind === 'livelock' ? token.schedule.length : token.schedule.length + 1;
  const coordinator = programCoordinator(token.files.scenario, info, { points: points ?? token.points ?? 'atomics', stepBudget, ...(engine ? { engine } : {}) });
  try {
    const result = await coordinator.run(new Replay(token.schedule, token.hashes));
    const violation = result.violations.find((v) => v.kind === token.kind) ?? result.violations[0];
    return replayOutcome(token, result, info.threads, violation);
  } finally {
    await coordinator.close();
  }
}
