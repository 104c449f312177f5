/**
 * chess-boundedqueue: a bounded queue with `if` where `while` belongs around Monitor.Wait, from the
 * managed CHESS test boundedqueue.cs.
 *
 * Source: mc-imperial/sctbench, benchmarks/chess-m/boundedqueue.cs, from the managed CHESS test suite
 * (Microsoft Research) that SCTBench ships in benchmarks/chess-m; not one of SCTBench's evaluated
 * benchmarks. Expected result: benchmarks/chess-m/golden/golden.cmdfile.csb{1,2,3}.exefile.boundedqueue,
 * where CHESS reports "Deadlock" after its first progress line ("Tests: 1"), at every preemption bound.
 *
 * The program: a BoundedQueue of bound 2 over a LinkedList, every operation inside lock(this).
 * Enqueue waits (Monitor.Wait) if the queue is full, appends, and pulses if the queue just became
 * non-empty (Count == 1); Dequeue waits if it is empty, removes the first element, and pulses if the
 * queue just stopped being full (Count == bound - 1). Two producers enqueue 0, 1, 2 each; one consumer
 * dequeues four times and asserts the i-th value is at most i; at the end two elements must remain.
 *
 * The bug: producers and the consumer share one wait set, Pulse wakes one waiter and only on those two
 * transitions, and a woken thread does not re-check its condition (`if`, not `while`). Wakeups go to the
 * wrong kind of waiter or are not sent at all: both producers wait on a full queue, the consumer's
 * pulse wakes one, the consumer drains the queue and waits, the woken producer's pulse (Count == 1)
 * wakes the other producer rather than the consumer, and the last producer then waits on a full queue
 * with everyone asleep: a deadlock, reached without any preemption (each thread runs until it waits).
 * A woken producer can also overfill the queue past its bound.
 *
 * The port: threads 0 and 1 are the producers, thread 2 the consumer (ParallelTasks starts them in that
 * order; main only starts, joins and checks, so it has no thread here). lock(this) is lib/mutex.ts, and
 * Monitor.Wait / Monitor.Pulse on it are lib/condvar.ts's wait and signal (one condition variable for
 * the monitor's single wait set; it wakes waiters in arrival order, never spuriously). The LinkedList is a
 * ring of words with its first index and Count, accessed with plain typed-array reads and writes (its
 * fields are plain .NET fields), and queue.First on an empty list throws, as the NullReferenceException
 * of First.Value would. The consumer's Debug.Assert is a throw; Run's final Size() == 2 is `check`.
 */
import { defineProgram } from '../../src/index.ts';
import { CONDVAR_FIELDS, signal, wait } from './lib/condvar.ts';
import { layout, wordsOf } from './lib/layout.ts';
import { lock, unlock } from './lib/mutex.ts';

const BOUND = 2;
const PER_PRODUCER = 3;
const CONSUMED = 4;
/** Room for every element ever enqueued, so an overfilled queue is still a list. */
const RING = 2 * PER_PRODUCER;

const L = layout({ 'queue.items': RING, 'queue.first': 1, 'queue.Count': 1, this: 1, 'this.waitSet': CONDVAR_FIELDS });
const ITEMS = L.at['queue.items'];
const FIRST = L.at['queue.first'];
const COUNT = L.at['queue.Count'];
const MONITOR = L.at.this;
const WAIT_SET = L.at['this.waitSet'];

function enqueue(w: Int32Array, element: number): void {
  lock(w, MONITOR);
  if (w[COUNT] === BOUND) wait(w, WAIT_SET, MONITOR);
  // queue.AddLast(element)
  w[ITEMS + ((w[FIRST]! + w[COUNT]!) % RING)] = element;
  w[COUNT]!++;
  if (w[COUNT] === 1) signal(w, WAIT_SET);
  unlock(w, MONITOR);
}

function dequeue(w: Int32Array): number {
  lock(w, MONITOR);
  if (w[COUNT] === 0) wait(w, WAIT_SET, MONITOR);
  // element = queue.First.Value; queue.RemoveFirst()
  if (w[COUNT] === 0) throw new Error('NullReferenceException: queue.First is null (Dequeue on an empty queue)');
  const element = w[ITEMS + w[FIRST]!]!;
  w[FIRST] = (w[FIRST]! + 1) % RING;
  w[COUNT]!--;
  if (w[COUNT] === BOUND - 1) signal(w, WAIT_SET);
  unlock(w, MONITOR);
  return element;
}

export default defineProgram({
  name: 'chess-boundedqueue',
  threads: 3,
  sharedBytes: L.bytes,
  description:
    'CHESS boundedqueue.cs: Monitor.Wait under `if` and Pulse only on the empty/full transitions; two producers and a consumer lose wakeups and deadlock.',
  thread(memory, t) {
    const w = wordsOf(memory, L.words);
    if (t < 2) {
      for (let i = 0; i < PER_PRODUCER; i++) enqueue(w, i);
    } else {
      for (let i = 0; i < CONSUMED; i++) {
        const r = dequeue(w);
        if (!(i >= r)) throw new Error(`Debug.Assert(i >= queue.Dequeue()) failed: dequeue ${i} returned ${r}`);
      }
    }
  },
  check(memory) {
    const w = wordsOf(memory, L.words);
    const size = w[COUNT]!;
    return size === 2 * PER_PRODUCER - CONSUMED ? [] : [`ChessTest.Run returned false: queue.Size() == ${size}, expected ${2 * PER_PRODUCER - CONSUMED}`];
  },
  describe: L.describe,
});
