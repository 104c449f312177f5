/**
 * `--engine workers|coroutines`: how a controlled run's logical threads run. `workers` (the default):
 * one worker thread each, handing the turn on with an Atomics store and a futex wake. `coroutines`: all
 * of them on one worker, as generators made by the coroutine transform (src/controlled/coroutines),
 * handing the turn on with a generator resume; the same schedules step for step, several times faster
 * once the threads outnumber the cores. Allocator runs only, for now: a program runs on workers.
 */
import { UsageError } from '../io/usage-error.ts';

export const engines = ['workers', 'coroutines'] as const;
export type Engine = (typeof engines)[number];
export const DEFAULT_ENGINE: Engine = 'workers';

export function parseEngine(value: string): Engine {
  if ((engines as readonly string[]).includes(value)) return value as Engine;
  throw new UsageError(`--engine ${value}: expected ${engines.join(' or ')}`);
}
