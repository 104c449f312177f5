/**
 * chess-autoresetevent1: a signal lost on an auto-reset event, from the managed CHESS test
 * autoresetevent1.cs.
 *
 * Source: mc-imperial/sctbench, benchmarks/chess-m/autoresetevent1.cs, from the managed CHESS test
 * suite (Microsoft Research) that SCTBench ships in benchmarks/chess-m; not one of SCTBench's evaluated
 * benchmarks. Expected result: benchmarks/chess-m/golden/golden.cmdfile.csb{1,2,3}.exefile.
 * autoresetevent1, where CHESS reports "Deadlock" after its first progress line ("Tests: 1").
 *
 * The program: a child thread calls e.Set() twice (printing in between); the parent calls e.WaitOne()
 * twice, expecting one wakeup per Set.
 *
 * The bug: an AutoResetEvent is one bit, not a count. If both Sets happen before the parent's first
 * WaitOne consumes the first, the second Set is lost, and the parent's second WaitOne waits forever: a
 * deadlock. It needs no preemption: running the child to its end first is enough.
 *
 * The port: thread 0 is the parent (Run after t.Start), thread 1 the child. AutoResetEvent is
 * lib/event.ts. The Console.WriteLine calls are dropped.
 *
 * Serial order: thread 0 first blocks in its first WaitOne, as no Set has happened; the port test does
 * not expect the serial order to pass.
 */
import { defineProgram } from '../../src/index.ts';
import { EVENT_FIELDS, setEvent, waitEvent } from './lib/event.ts';
import { layout, wordsOf } from './lib/layout.ts';

const L = layout({ e: EVENT_FIELDS });

export default defineProgram({
  name: 'chess-autoresetevent1',
  threads: 2,
  sharedBytes: L.bytes,
  description: 'CHESS autoresetevent1.cs: two Sets on an AutoResetEvent before the first WaitOne leave one signal, and the second WaitOne waits forever.',
  thread(memory, t) {
    const w = wordsOf(memory, L.words);
    if (t === 0) {
      waitEvent(w, L.at.e);
      waitEvent(w, L.at.e);
    } else {
      setEvent(w, L.at.e);
      setEvent(w, L.at.e);
    }
  },
  describe: L.describe,
});
