/**
 * chess-selfdeadlock: the unbalanced EnterCriticalSection of CHESS's native regression test
 * selfdeadlock.cpp.
 *
 * Source: mc-imperial/sctbench, benchmarks/chess/selfdeadlock.cpp, from the CHESS test suite
 * (Microsoft Research) that SCTBench ships next to its CHESS benchmarks (not one of SCTBench's
 * evaluated benchmarks). Expected result: benchmarks/chess/golden/golden.cmdfile.csb{1,2,3}.dllfile.
 * selfdeadlock, where CHESS reports "Deadlock".
 *
 * The program: main creates a thread running foo (enter, leave), then enters the critical section
 * twice and leaves it once, then waits for foo. A CRITICAL_SECTION is recursive, so the second Enter
 * succeeds; but one Leave leaves it held.
 *
 * The bug: main never releases the lock. If foo got in and out first, nothing happens; if main entered
 * first, foo waits forever, and main waits forever for foo: a deadlock. No preemption is needed: the
 * schedule that runs main until it blocks deadlocks.
 *
 * The port: thread 0 is main's part after CreateThread, thread 1 is foo; CRITICAL_SECTION is
 * lib/critical-section.ts. Main's WaitForSingleObject(hThread) is dropped: with it or without it the
 * outcomes are the same (without it main ends holding the lock and foo, if it has not run, blocks
 * forever: every unfinished thread is blocked in Atomics.wait, the harness's deadlock).
 *
 * Serial order: running thread 0 to the end and then thread 1 is the deadlocking schedule itself, so the
 * port test does not expect the serial order to pass.
 */
import { defineProgram } from '../../src/index.ts';
import { CRITICAL_SECTION_FIELDS, enterCriticalSection, leaveCriticalSection } from './lib/critical-section.ts';
import { layout, wordsOf } from './lib/layout.ts';

const L = layout({ lock: CRITICAL_SECTION_FIELDS });

export default defineProgram({
  name: 'chess-selfdeadlock',
  threads: 2,
  sharedBytes: L.bytes,
  description: 'CHESS selfdeadlock.cpp: main enters a critical section twice and leaves it once; foo, if it comes later, waits forever.',
  thread(memory, t) {
    const w = wordsOf(memory, L.words);
    if (t === 0) {
      enterCriticalSection(w, L.at.lock, t);
      enterCriticalSection(w, L.at.lock, t);
      leaveCriticalSection(w, L.at.lock);
    } else {
      enterCriticalSection(w, L.at.lock, t);
      leaveCriticalSection(w, L.at.lock);
    }
  },
  describe: L.describe,
});
