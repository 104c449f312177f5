/**
 * chess-volatile2: a two-variable atomicity violation, from the managed CHESS test volatile2.cs.
 *
 * Source: mc-imperial/sctbench, benchmarks/chess-m/volatile2.cs, from the managed CHESS test suite
 * (Microsoft Research) that SCTBench ships in benchmarks/chess-m; not one of SCTBench's evaluated
 * benchmarks. Expected result: benchmarks/chess-m/golden/golden.cmdfile.csb{1,2,3}.exefile.volatile2,
 * where CHESS prints "2 1" and reports "ChessTest.Run returned false".
 *
 * The program: a child thread sets x = 2 and y = 2 inside lock(o); main, concurrently and without the
 * lock, sets x = 1 and y = 1, joins the child, and returns x == y.
 *
 * The bug: only one side takes the lock, so it protects nothing. If the child's two writes fall between
 * main's (x = 1; x = 2; y = 2; y = 1), x and y end different. One preemption of main, between its two
 * writes.
 *
 * The port: thread 0 is main, thread 1 the child. x and y are volatile, so Atomics.store, one per
 * write; lock(o) is lib/mutex.ts. Main's Join and final comparison are `check`, which runs after both
 * threads end, as the comparison runs after the Join.
 */
import { defineProgram } from '../../src/index.ts';
import { layout, wordsOf } from './lib/layout.ts';
import { lock, unlock } from './lib/mutex.ts';

const L = layout({ x: 1, y: 1, o: 1 });

export default defineProgram({
  name: 'chess-volatile2',
  threads: 2,
  sharedBytes: L.bytes,
  description: 'CHESS volatile2.cs: the child writes x, y under a lock main does not take; interleaved, x != y.',
  thread(memory, t) {
    const w = wordsOf(memory, L.words);
    if (t === 0) {
      Atomics.store(w, L.at.x, 1);
      Atomics.store(w, L.at.y, 1);
    } else {
      lock(w, L.at.o);
      Atomics.store(w, L.at.x, 2);
      Atomics.store(w, L.at.y, 2);
      unlock(w, L.at.o);
    }
  },
  check(memory) {
    const w = wordsOf(memory, L.words);
    const x = Atomics.load(w, L.at.x);
    const y = Atomics.load(w, L.at.y);
    return x === y ? [] : [`ChessTest.Run returned false: x == ${x}, y == ${y}`];
  },
  describe: L.describe,
});
