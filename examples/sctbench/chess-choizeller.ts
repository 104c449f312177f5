/**
 * chess-choizeller: the unsynchronized queue of Choi and Zeller's example, as a managed CHESS test.
 *
 * Source: mc-imperial/sctbench, benchmarks/chess-m/choizeller.cs ("example from Choi, Zeller paper":
 * J.-D. Choi and A. Zeller, "Isolating failure-inducing thread schedules", ISSTA 2002), from the
 * managed CHESS test suite (Microsoft Research) that SCTBench ships in benchmarks/chess-m; not one of
 * SCTBench's evaluated benchmarks. Expected result: benchmarks/chess-m/golden/golden.cmdfile.csb{1,2,3}.
 * exefile.choizeller, where CHESS reports "ChessTest.Run returned false".
 *
 * The program: an IntQueue links its elements through link[] (link[n] is n's successor; 0 is none)
 * with volatile head and tail. enqueue(e) sets link[e] = 0, then, if the queue looks empty
 * (head == 0), makes e the head, else links it after tail under the lock; then sets tail = e.
 * dequeue() takes head, clears tail if head was the last element, and advances head under the lock.
 * One thread dequeues, one enqueues 2, main enqueues 1; afterwards the queue must not be empty (two
 * enqueues, one dequeue).
 *
 * The bug: enqueue's check head == 0 and its update are not atomic, and tail is updated outside any
 * lock. Both enqueuers can see an empty queue and both write head; the element whose write lands first
 * is lost, and a dequeue then takes the survivor and leaves the queue empty. The unlocked tail loses
 * elements too: the dequeue of 1 clears tail, enqueue(2) then links itself after element 0 (link[0] =
 * 2), and the dequeue's head = link[1] drops it. One preemption suffices.
 *
 * The port: thread 0 is main (enqueue(1)), thread 1 the dequeuer, thread 2 the second enqueuer, in the
 * order the test starts them (main's enqueue follows the two Starts). head and tail are volatile, so
 * they are Atomics.load / Atomics.store, one per access; link[] is a plain int[], so plain typed-array
 * accesses; lock(this) is lib/mutex.ts (a Monitor is recursive, but nothing here re-enters it). Run's
 * final check, !iq.empty() after both Joins, is `check`.
 */
import { defineProgram } from '../../src/index.ts';
import { layout, wordsOf } from './lib/layout.ts';
import { lock, unlock } from './lib/mutex.ts';

const L = layout({ link: 10, head: 1, tail: 1, lock: 1 });
const { head: HEAD, tail: TAIL } = L.at;

function enqueue(w: Int32Array, elem: number): void {
  w[L.at.link + elem] = 0;
  if (Atomics.load(w, HEAD) === 0) {
    // Looked empty: but another enqueue may make the same decision before this store.
    Atomics.store(w, HEAD, elem);
  } else {
    lock(w, L.at.lock);
    w[L.at.link + Atomics.load(w, TAIL)] = elem;
    unlock(w, L.at.lock);
  }
  Atomics.store(w, TAIL, elem);
}

function dequeue(w: Int32Array): number {
  const elem = Atomics.load(w, HEAD);
  if (elem === Atomics.load(w, TAIL)) Atomics.store(w, TAIL, 0);
  lock(w, L.at.lock);
  Atomics.store(w, HEAD, w[L.at.link + Atomics.load(w, HEAD)]!);
  unlock(w, L.at.lock);
  return elem;
}

export default defineProgram({
  name: 'chess-choizeller',
  threads: 3,
  sharedBytes: L.bytes,
  description: 'CHESS choizeller.cs: two racing enqueues both see an empty queue; after enqueue(1), enqueue(2), dequeue() the queue is empty.',
  thread(memory, t) {
    const w = wordsOf(memory, L.words);
    if (t === 0) enqueue(w, 1);
    else if (t === 1) dequeue(w);
    else enqueue(w, 2);
  },
  check(memory) {
    const w = wordsOf(memory, L.words);
    return Atomics.load(w, HEAD) === 0 ? ['ChessTest.Run returned false: the queue is empty after two enqueues and one dequeue'] : [];
  },
  describe: L.describe,
});
