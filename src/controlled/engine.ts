/**
 * `--engine coroutines|workers`: how a controlled run's logical threads run. `coroutines` (the
 * default): all of them on one worker, as generators made by the coroutine transform
 * (src/controlled/coroutines), handing the turn on with a generator resume. `workers`: one worker thread
 * each, handing the turn on with an Atomics store and a futex wake. The same schedules step for step,
 * for allocators, programs and concurrent objects alike; coroutines are several times faster once the
 * threads outnumber the cores.
 */
import { UsageError } from '../io/usage-error.ts';

export const engines = ['workers', 'coroutines'] as const;
export type Engine = (typeof engines)[number];
export const DEFAULT_ENGINE: Engine = 'coroutines';

/** The engine a run uses: the one it names, else the default. */
export function engineOf(config: { engine?: Engine | undefined }): Engine {
  return config.engine ?? DEFAULT_ENGINE;
}

/**
 * A schedule the coroutine engine cannot follow (driver.ts: a thread given the turn while it waits
 * under another's stack). Not a finding about the subject: the caller runs again on workers, where
 * every schedule can be followed, and says so.
 */
export class EngineCannotFollow extends Error {
  override readonly name = 'EngineCannotFollow';
}

/** What the coroutine driver's CannotFollow says first, as a failed thread's message carries it. */
export const CANNOT_FOLLOW = 'the coroutine engine cannot follow this schedule';

export function parseEngine(value: string): Engine {
  if ((engines as readonly string[]).includes(value)) return value as Engine;
  throw new UsageError(`--engine ${value}: expected ${engines.join(' or ')}`);
}
