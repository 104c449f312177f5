/**
 * qsort_mt: the thread-pool hand-off race in Diomidis Spinellis's multithreaded quicksort (2006-2007).
 *
 * Source: mc-imperial/sctbench, benchmarks/inspect_benchmarks/qsort_mt.c (group Inspect: the
 * benchmarks of the Inspect model checker), run as `qsort_mt -n 32 -f 4 -h 2 -v` (its first line:
 * "-n 32 -f 4 -h {NUMTHREADS} -v"; benchmarks/buggy.txt lists it with 3 threads: main and a pool of 2).
 *
 * The program: qsort_mt starts a fixed pool of threads, each waiting (mutex mtx_st, condition
 * cond_st) while its state st is ts_idle, and hands the whole array to pool[0]. A sorting thread
 * partitions its range (Bentley and McIlroy's qsort); if both sides are bigger than forkelem and
 * allocate_thread finds an idle pool thread, it farms the left side out to it and sorts the right side
 * itself. allocate_thread marks the chosen thread ts_work under mtx_al, and only then locks the
 * thread's mtx_st and fills in its a and n. A thread that finishes goes idle; the last one to go idle
 * tells the others to terminate. main then checks the array is sorted (-v).
 *
 * The bug: allocate_thread writes st = ts_work before it holds the chosen thread's mtx_st, and sets a
 * and n only after. A pool thread that has not yet started waiting (or is between two jobs) can lock
 * mtx_st in that gap, see ts_work, skip the wait, and sort whatever a and n hold: nothing (a NULL range
 * of 0 elements, for a thread that never had a job) or its previous range. The range it was given is
 * never sorted, and the verification fails ("Failed to verify sorted list!"); if it reads a new n with
 * the old NULL a it dereferences NULL instead. It takes two preemptions: the allocating thread after
 * its st write, and the pool thread after it read a and n.
 *
 * The port: thread 0 is main (it initializes the shared `struct common c` fields and hands out the first
 * batch), threads 1 and 2 are pool[0] and pool[1] running qsort_thread. allocate_thread, qsort_algo,
 * med3 and the insertion sorts are the original's line for line; pointers are word numbers (the array
 * starts at word BASE, NULL is 0), so a NULL range still faults if indexed. Every C access to the
 * array, to a pool slot (st, a, n) or to c (forkelem, nthreads, idlethreads) is one plain typed-array
 * read or write (they are plain C data); mtx_al and mtx_st are lib/mutex.ts, cond_st lib/condvar.ts.
 * Scaled down: 8 elements instead of 32 and forkelem 2 instead of 4, so the first partition (pivot 5 of
 * 5 2 7 1 8 3 6 4) farms out its 4-element left side exactly once, and the n > 40 pseudo-median (never
 * taken) is dropped. With one farm-out, pool[1] gets one job, so of the two forms of the bug only the
 * first (a thread that has not waited yet) can occur here: the schedule that runs the threads in id
 * order without preemption, except for one switch from pool[0] to pool[1] right after allocate_thread
 * writes pool[1].st, ends with the left half unsorted. An element swap is one word swap (two reads, two writes) rather than swapfunc's
 * byte-by-byte loop; the constant fields of c that never change once a thread can read them (es, cmp,
 * swaptype, pool, and each slot's id and common) are locals. main's joins, frees and timing are
 * dropped; its verification loop is `check`.
 *
 * Serial order: pool thread 1 ends its job waiting for work that only thread 2's termination message
 * ends; the port test does not expect the serial order to pass.
 */
import { defineProgram } from '../../src/index.ts';
import { CONDVAR_FIELDS, signal, wait } from './lib/condvar.ts';
import { layout, wordsOf } from './lib/layout.ts';
import { lock, unlock } from './lib/mutex.ts';

const INPUT = [5, 2, 7, 1, 8, 3, 6, 4];
const N = INPUT.length;
const FORKELEM = 2;
const MAXTHREADS = 2;

const ts_idle = 0;
const ts_work = 1;
const ts_term = 2;

const L = layout({
  int_elem: N,
  'c.forkelem': 1,
  'c.nthreads': 1,
  'c.idlethreads': 1,
  'c.mtx_al': 1,
  'pool[0].st': 1,
  'pool[0].a': 1,
  'pool[0].n': 1,
  'pool[0].mtx_st': 1,
  'pool[0].cond_st': CONDVAR_FIELDS,
  'pool[1].st': 1,
  'pool[1].a': 1,
  'pool[1].n': 1,
  'pool[1].mtx_st': 1,
  'pool[1].cond_st': CONDVAR_FIELDS,
});
const A = L.at;

/** The "address" of int_elem[0]; a pointer p names int_elem[p - BASE], and NULL (0) names nothing. */
const BASE = 1000;

interface Slot {
  st: number;
  a: number;
  n: number;
  mtx_st: number;
  cond_st: number;
}
const SLOT_WORDS = A['pool[1].st'] - A['pool[0].st'];
function slot(i: number): Slot {
  const base = A['pool[0].st'] + i * SLOT_WORDS;
  return { st: base, a: base + 1, n: base + 2, mtx_st: base + 3, cond_st: base + 4 };
}

function at(p: number): number {
  const i = p - BASE;
  if (i < 0 || i >= N) throw new Error(`SIGSEGV: element access at address ${p} (the array is ${BASE}..${BASE + N - 1})`);
  return A.int_elem + i;
}

/** num_compare: *(ELEM_T *)a - *(ELEM_T *)b. */
function cmp(w: Int32Array, x: number, y: number): number {
  return w[at(x)]! - w[at(y)]!;
}

function swap(w: Int32Array, x: number, y: number): void {
  const t = w[at(x)]!;
  w[at(x)] = w[at(y)]!;
  w[at(y)] = t;
}

function vecswap(w: Int32Array, x: number, y: number, n: number): void {
  for (let k = 0; k < n; k++) swap(w, x + k, y + k);
}

function med3(w: Int32Array, a: number, b: number, c: number): number {
  return cmp(w, a, b) < 0
    ? cmp(w, b, c) < 0 ? b : cmp(w, a, c) < 0 ? c : a
    : cmp(w, b, c) > 0 ? b : cmp(w, a, c) < 0 ? a : c;
}

function insertionSort(w: Int32Array, a: number, n: number): void {
  for (let pm = a + 1; pm < a + n; pm++) for (let pl = pm; pl > a && cmp(w, pl - 1, pl) > 0; pl--) swap(w, pl, pl - 1);
}

/** allocate_thread: the idle pool slot now marked ts_work, with its mtx_st held, or -1. */
function allocateThread(w: Int32Array): number {
  lock(w, A['c.mtx_al']);
  for (let i = 0; i < w[A['c.nthreads']]!; i++) {
    const qs = slot(i);
    if (w[qs.st] === ts_idle) {
      w[A['c.idlethreads']]!--;
      // The slot is claimed here, before its mtx_st is held and before a and n are set: the gap.
      w[qs.st] = ts_work;
      lock(w, qs.mtx_st);
      unlock(w, A['c.mtx_al']);
      return i;
    }
  }
  unlock(w, A['c.mtx_al']);
  return -1;
}

function qsortAlgo(w: Int32Array, qs: Slot): void {
  let a = w[qs.a]!;
  let n = w[qs.n]!;
  for (;;) {
    // top:
    let swapCnt = 0;
    if (n < 7) {
      insertionSort(w, a, n);
      return;
    }
    let pm = a + Math.trunc(n / 2);
    if (n > 7) {
      const pl = a;
      const pn = a + n - 1;
      pm = med3(w, pl, pm, pn);
    }
    swap(w, a, pm);
    let pa = a + 1;
    let pb = pa;
    let pc = a + n - 1;
    let pd = pc;
    let r: number;
    for (;;) {
      while (pb <= pc && (r = cmp(w, pb, a)) <= 0) {
        if (r === 0) {
          swapCnt = 1;
          swap(w, pa, pb);
          pa++;
        }
        pb++;
      }
      while (pb <= pc && (r = cmp(w, pc, a)) >= 0) {
        if (r === 0) {
          swapCnt = 1;
          swap(w, pc, pd);
          pd--;
        }
        pc--;
      }
      if (pb > pc) break;
      swap(w, pb, pc);
      swapCnt = 1;
      pb++;
      pc--;
    }
    if (swapCnt === 0) {
      insertionSort(w, a, n);
      return;
    }
    const pn = a + n;
    r = Math.min(pa - a, pb - pa);
    vecswap(w, a, pb - r, r);
    r = Math.min(pd - pc, pn - pd - 1);
    vecswap(w, pb, pn - r, r);

    const nl = pb - pa;
    const nr = pd - pc;
    let qs2: number;
    if (nl > w[A['c.forkelem']]! && nr > w[A['c.forkelem']]! && (qs2 = allocateThread(w)) !== -1) {
      const s = slot(qs2);
      w[s.a] = a;
      w[s.n] = nl;
      signal(w, s.cond_st);
      unlock(w, s.mtx_st);
    } else if (nl > 0) {
      w[qs.a] = a;
      w[qs.n] = nl;
      qsortAlgo(w, qs);
    }
    if (nr <= 0) return;
    a = pn - nr;
    n = nr;
  }
}

function qsortThread(w: Int32Array, self: number): void {
  const qs = slot(self);
  for (;;) {
    // again: wait for work to be allocated.
    lock(w, qs.mtx_st);
    while (w[qs.st] === ts_idle) wait(w, qs.cond_st, qs.mtx_st);
    unlock(w, qs.mtx_st);
    if (w[qs.st] === ts_term) return;
    if (w[qs.st] !== ts_work) throw new Error('assertion qs->st == ts_work failed in qsort_thread');

    qsortAlgo(w, qs);

    lock(w, A['c.mtx_al']);
    w[qs.st] = ts_idle;
    w[A['c.idlethreads']]!++;
    if (w[A['c.idlethreads']] === w[A['c.nthreads']]) {
      // All threads idle: signal shutdown.
      for (let i = 0; i < w[A['c.nthreads']]!; i++) {
        if (i === self) continue;
        const qs2 = slot(i);
        lock(w, qs2.mtx_st);
        w[qs2.st] = ts_term;
        signal(w, qs2.cond_st);
        unlock(w, qs2.mtx_st);
      }
      unlock(w, A['c.mtx_al']);
      return;
    }
    unlock(w, A['c.mtx_al']);
  }
}

/** qsort_mt after the pool threads are created: fill in c, hand the first batch to pool[0]. */
function qsortMt(w: Int32Array): void {
  w[A['c.forkelem']] = FORKELEM;
  w[A['c.nthreads']] = MAXTHREADS;
  w[A['c.idlethreads']] = MAXTHREADS;
  const qs = slot(0);
  lock(w, qs.mtx_st);
  w[qs.a] = BASE;
  w[qs.n] = N;
  w[qs.st] = ts_work;
  w[A['c.idlethreads']]!--;
  signal(w, qs.cond_st);
  unlock(w, qs.mtx_st);
}

export default defineProgram({
  name: 'qsort_mt',
  threads: 1 + MAXTHREADS,
  sharedBytes: L.bytes,
  description:
    'SCTBench Inspect qsort_mt: allocate_thread marks a pool thread ts_work before setting its range; a pool thread that looks in between sorts a stale range and the array ends unsorted.',
  init(memory) {
    // main's int_elem fill, and the pool slots' ts_idle, set before the threads exist.
    const w = wordsOf(memory, L.words);
    INPUT.forEach((v, i) => (w[A.int_elem + i] = v));
    for (let i = 0; i < MAXTHREADS; i++) w[slot(i).st] = ts_idle;
  },
  thread(memory, t) {
    const w = wordsOf(memory, L.words);
    if (t === 0) qsortMt(w);
    else qsortThread(w, t - 1);
  },
  check(memory) {
    const w = wordsOf(memory, L.words);
    for (let i = 1; i < N; i++) {
      const before = w[A.int_elem + i - 1]!;
      const here = w[A.int_elem + i]!;
      if (before > here) return [`Failed to verify sorted list! sort error at position ${i}: ${before} > ${here}`];
    }
    return [];
  },
  describe: L.describe,
});
