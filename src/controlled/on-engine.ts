/**
 * Runs a controlled command on its engine, and again on workers when the coroutine engine cannot follow
 * one of its schedules (a thread given the turn while it waits under another's stack: see
 * src/controlled/coroutines/driver.ts). Schedules are the same on both engines, so the second run gives
 * what the first would have; one line says why it ran twice.
 */
import { type Engine, EngineCannotFollow, engineOf } from './engine.ts';

export async function onEngine<T>(engine: Engine | undefined, quiet: boolean, run: (engine: Engine) => Promise<T>): Promise<T> {
  const first = engineOf({ engine });
  try {
    return await run(first);
  } catch (error) {
    if (!(error instanceof EngineCannotFollow) || first === 'workers') throw error;
    (quiet ? console.error : console.log)(`note: ${error.message.replace(/; run it with --engine workers$/, '')}; running again with --engine workers`);
    return await run('workers');
  }
}
