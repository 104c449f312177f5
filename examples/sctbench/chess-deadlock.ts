/**
 * chess-deadlock: the lock-order inversion of CHESS's native regression test deadlock.cpp.
 *
 * Source: mc-imperial/sctbench, benchmarks/chess/deadlock.cpp (the same program is
 * benchmarks/chess/deadlockWithCallback.cpp with an error callback added), from the CHESS test suite
 * (Microsoft Research) that SCTBench ships next to its CHESS benchmarks; SCTBench's own CHESS group
 * evaluates only the work-stealing-queue tests. Expected result: benchmarks/chess/golden/
 * golden.cmdfile.csb{1,2,3}.dllfile.deadlock, where CHESS reports "Deadlock".
 *
 * The program: main creates a thread running foo, then enters lock2 and lock1 and leaves them; foo
 * enters lock1 and lock2 and leaves them. Each alone is fine.
 *
 * The bug: the two threads take the locks in opposite orders. If main holds lock2 and foo holds lock1,
 * each waits for the other's forever: a deadlock, reached with one preemption (after either thread's
 * first EnterCriticalSection).
 *
 * The port: thread 0 is main's part after CreateThread, thread 1 is foo. CRITICAL_SECTION is
 * lib/critical-section.ts (a recursive futex lock, as the Win32 one is recursive). Main's final
 * WaitForSingleObject(hThread) is dropped: nothing follows it but CloseHandle and DeleteCriticalSection,
 * and in the deadlock main is stuck in EnterCriticalSection before reaching it; the harness reports the
 * deadlock as every unfinished thread blocked in Atomics.wait.
 */
import { defineProgram } from '../../src/index.ts';
import { CRITICAL_SECTION_FIELDS, enterCriticalSection, leaveCriticalSection } from './lib/critical-section.ts';
import { layout, wordsOf } from './lib/layout.ts';

const L = layout({ lock1: CRITICAL_SECTION_FIELDS, lock2: CRITICAL_SECTION_FIELDS });

export default defineProgram({
  name: 'chess-deadlock',
  threads: 2,
  sharedBytes: L.bytes,
  description: 'CHESS deadlock.cpp: main takes lock2 then lock1, foo takes lock1 then lock2; interleaved, they deadlock.',
  thread(memory, t) {
    const w = wordsOf(memory, L.words);
    const [first, second] = t === 0 ? [L.at.lock2, L.at.lock1] : [L.at.lock1, L.at.lock2];
    enterCriticalSection(w, first, t);
    enterCriticalSection(w, second, t);
    leaveCriticalSection(w, second);
    leaveCriticalSection(w, first);
  },
  describe: L.describe,
});
