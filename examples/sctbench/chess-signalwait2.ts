/**
 * chess-signalwait2: SignalAndWait taken to be atomic when it is not, from the managed CHESS test
 * signalwait2.cs.
 *
 * Source: mc-imperial/sctbench, benchmarks/chess-m/signalwait2.cs, from the managed CHESS test suite
 * (Microsoft Research) that SCTBench ships in benchmarks/chess-m; not one of SCTBench's evaluated
 * benchmarks. Expected result: benchmarks/chess-m/golden/golden.cmdfile.csb{1,2,3}.exefile.signalwait2,
 * where CHESS reports "Deadlock".
 *
 * The program: two AutoResetEvents a and b. The child calls WaitHandle.SignalAndWait(a, b): set a,
 * then wait on b. The parent sets b, waits on a, then polls b with WaitOne(0) and expects it empty (the
 * child should have taken b's signal), then joins the child and returns ret == false.
 *
 * The bug: the signal and the wait are two steps (Win32's SignalObjectAndWait does not promise
 * atomicity, and CHESS schedules them separately). If the parent wakes on a and polls b before the
 * child has started waiting on b, the parent takes b's signal itself (ret is true), the child then
 * waits on b forever and the parent waits forever in Join: a deadlock. One preemption of the child,
 * between its set and its wait.
 *
 * The port: thread 0 is the parent (Run after t.Start), thread 1 the child; AutoResetEvent is
 * lib/event.ts, and SignalAndWait(a, b) is setEvent(a) then waitEvent(b). The parent's t.Join() is
 * dropped: without it, in the bad schedule the parent ends and the child alone waits forever, which the
 * harness reports as a deadlock all the same. The parent records ret in a shared word, and `check`
 * (after both threads end, as the return follows the Join) returns ret == false.
 *
 * Serial order: thread 0 first blocks in a.WaitOne(), as the child has not set a; the port test does
 * not expect the serial order to pass.
 */
import { defineProgram } from '../../src/index.ts';
import { EVENT_FIELDS, setEvent, tryWaitEvent, waitEvent } from './lib/event.ts';
import { layout, wordsOf } from './lib/layout.ts';

const L = layout({ a: EVENT_FIELDS, b: EVENT_FIELDS, ret: 1 });

export default defineProgram({
  name: 'chess-signalwait2',
  threads: 2,
  sharedBytes: L.bytes,
  description: 'CHESS signalwait2.cs: SignalAndWait(a, b) is a set then a wait; the parent can take b in between, and the child waits forever.',
  thread(memory, t) {
    const w = wordsOf(memory, L.words);
    if (t === 0) {
      setEvent(w, L.at.b);
      waitEvent(w, L.at.a);
      const ret = tryWaitEvent(w, L.at.b);
      Atomics.store(w, L.at.ret, ret ? 1 : 0);
    } else {
      setEvent(w, L.at.a);
      waitEvent(w, L.at.b);
    }
  },
  check(memory) {
    const w = wordsOf(memory, L.words);
    return Atomics.load(w, L.at.ret) === 0 ? [] : ['ChessTest.Run returned false: the parent took b\'s signal (b.WaitOne(0) returned true)'];
  },
  describe: L.describe,
});
