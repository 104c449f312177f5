/**
 * A program: the jcstress / SCTBench shape of a concurrent test. A fixed number of threads run one
 * function each on a zeroed shared region; a throw is a failed assertion (C's `assert`: the run stops at
 * the first one), and `check`, run once every thread has ended, names what the memory should not hold.
 *
 * A module default-exports one, usually through `defineProgram`. The helper only types the object: a
 * module that default-exports a plain object of this shape, importing nothing from pagerace, is a
 * program too. Like an allocator, a program keeps all of its shared state in the region: it is loaded
 * again in every worker thread.
 */
import type { SharedRegion } from '../../alloc/contract.ts';

export interface ProgramDefinition {
  name: string;
  /** Thread ids 0..threads-1 each run `thread` once per round. */
  threads: number;
  /**
   * Bytes of zeroed shared memory the program gets: a SharedArrayBuffer of its own, exactly this long
   * (a library whose constructor takes a whole buffer, as ringbuf.js's does, gets it whole).
   */
  sharedBytes: number;
  /**
   * Bytes of a second zeroed buffer for the program's own bookkeeping around the code under test (flags
   * saying a producer is done, what a consumer received). Its accesses are not scheduling points: only
   * `memory`'s are. Default 0.
   */
  scratchBytes?: number;
  /** Once per round, before any thread starts. */
  init?(memory: SharedRegion, scratch: SharedRegion): void;
  /** One thread's part of the round. A throw is a failed assertion. */
  thread(memory: SharedRegion, thread: number, scratch: SharedRegion): void;
  /** After every thread has ended: the problems with what memory holds, [] if it is sound. */
  check?(memory: SharedRegion, scratch: SharedRegion): string[];
  /**
   * What a location of the region is, for traces: byte offset from the start of the region to words
   * (`"flag[1]"`, `"turn"`). Optional; undefined where the program cannot say.
   */
  describe?(byteOffset: number): string | undefined;
  /** One line on what the program is and what it checks. */
  description?: string;
}

/** Types a program definition; returns it unchanged. */
export function defineProgram(definition: ProgramDefinition): ProgramDefinition {
  return definition;
}
