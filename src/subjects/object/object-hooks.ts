/**
 * What defineObject adds to the program it returns, for stress runs only: the operation names (a
 * latency histogram each), the thread counts the object works at, and the object rebuilt at one of
 * them with its calls timed. Controlled mode never looks at it: there a call's duration is a count of
 * scheduling steps, not time.
 */
import type { SharedRegion } from '../../alloc/contract.ts';
import type { ProgramDefinition } from '../program/contract.ts';

export interface TimedProgram extends ProgramDefinition {
  /** `thread`, recording each call's duration (ns) into `latency[i]`, the counts of operation i's histogram. */
  timedThread(memory: SharedRegion, thread: number, scratch: SharedRegion, latency: readonly Int32Array[]): void;
}

export interface ObjectHooks {
  /** Operation names, in the order of the definition's `operations`. */
  operations: readonly string[];
  /** Thread counts the object works at; the program's own `threads` is one of them. */
  threadCounts: readonly number[];
  /** The object as a program of `threads` threads (one of `threadCounts`). */
  at(threads: number): TimedProgram;
}

export interface ObjectProgram extends TimedProgram {
  object: ObjectHooks;
}

/** The hooks of a program defineObject made, or undefined for any other program. */
export function objectHooksOf(program: ProgramDefinition): ObjectHooks | undefined {
  const hooks = (program as Partial<ObjectProgram>).object;
  return typeof hooks === 'object' && hooks !== null && typeof hooks.at === 'function' ? hooks : undefined;
}
