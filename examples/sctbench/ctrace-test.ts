/**
 * ctrace-test: the CTrace tracing library torn down by one thread while another is still tracing.
 *
 * Source: mc-imperial/sctbench, benchmarks/inspect_examples/ctrace-test.c, run with the argument "2"
 * (its first line: "//args:2"); benchmarks/buggy.txt lists it with 3 threads. The file is the CTrace
 * library (Cal McPherson's multithreaded trace/debug library, Linux Journal 2004) with a small test
 * driver, from the examples of the Inspect model checker; the SCTBench paper files it under "misc".
 *
 * The program: main initializes the library (trc_init, trc_add_thread for itself), starts thread1 and
 * thread2, emits two trace lines (TRC_PRINT, TRC_ERROR), joins both threads (removing each from the
 * library's thread table) and returns through TRC_RETURN. thread1 calls TRC_END(); thread2 would too if
 * its argument were 'b', but with "2" it does nothing. Every TRC_* macro tests the global _trc flag
 * without a lock and then calls into the library, which guards its hash table of per-thread records
 * with a readers / writer scheme (_hashmutex, _hashreads, semaphore _hashsem).
 *
 * The bug: trc_end takes none of the library's locks. It clears _trc, frees every per-thread record in
 * the table (without clearing the table's pointers), and destroys the mutex and semaphores, while
 * main may be between its `if (_trc)` test and the end of trc_varargs / trc_trace. main then looks its
 * record up through the dangling table pointer and reads and writes freed memory. SCTBench's repo does
 * not say which failure it observed; PERIOD's evaluation runs this benchmark under ThreadSanitizer,
 * that is, reports the data race. The port makes the race's consequence observable: freed memory is
 * overwritten with FREED (lib/freed.ts), so main's next read of its record throws "heap use after
 * free". One preemption of main, after an `if (_trc)` test, suffices.
 *
 * The port: thread 0 is main after its pthread_creates, thread 1 is thread1, thread 2 is thread2;
 * trc_init, trc_add_thread(argv[0], 0) and main's local x = '2' (read by thread2 through its
 * argument pointer) are init, as they run before the threads exist. Shared state is the library's
 * globals (_trc, _on, _tlevel, _fp, _server, _msgs, _initialised, _unitmax, _numthreads, the _thread
 * table, _hashreads) and main's tthread_t record, plain C data, so plain typed-array accesses, one per
 * C access; _hashmutex is lib/mutex.ts, the semaphores lib/semaphore.ts, pthread_join lib/join.ts (it
 * matters here: after the join, _trc is surely cleared, and main's TRC_RETURN traces nothing). The
 * record's char arrays (name, wspace, fmt, trace) are one word each, read or written once per library
 * call that reads or writes them (vsprintf, sprintf, fprintf, the wspace terminator). Scaled down: a
 * thread table of THRDMAX 7 buckets instead of 307, thread ids 1, 2, 3 (distinct buckets, as the real
 * ids almost surely hash to). Dropped: the trace server and its socket code (_server is off), the
 * clock (time / localtime / strftime), the printf calls of the driver, and the effects of
 * pthread_mutex_destroy and sem_destroy (glibc's leave a normal mutex and a semaphore usable enough
 * for a single later user, which main is).
 *
 * Serial order: thread 0 waits in pthread_join for thread 1; the port test does not expect the serial
 * order to pass.
 */
import { defineProgram } from '../../src/index.ts';
import { freeBlock, readLive } from './lib/freed.ts';
import { exitThread, joinThread } from './lib/join.ts';
import { layout, wordsOf } from './lib/layout.ts';
import { lock, unlock } from './lib/mutex.ts';
import { semPost, semWait } from './lib/semaphore.ts';

const TRC_DISABLED = 0;
const TRC_ENABLED = 1;
const TRC_ON = 1;
const TRC0 = 1;
const TRC_ERR = 64;
const THRDMAX = 7;
/** _fp == _STDOUT. */
const STDOUT = 1;

const MAIN_ID = 1;
const TID1 = 2;
const TID2 = 3;
/** The one tthread_t malloc ever returns here: main's. */
const RECORD = 1;

const L = layout({
  _trc: 1,
  _on: 1,
  _tlevel: 1,
  _fp: 1,
  _server: 1,
  _msgs: 1,
  _initialised: 1,
  _unitmax: 1,
  _numthreads: 1,
  _thread: THRDMAX,
  _hashmutex: 1,
  _hashreads: 1,
  _hashsem: 1,
  _startclient: 1,
  "main's tthread_t": ['id', 'name', 'on', 'level', 'wspace', 'fmt', 'trace', 'next'],
  x: 1,
  'thread1 finished': 1,
  'thread2 finished': 1,
});
const A = L.at;
const REC = A["main's tthread_t"];
const R = { id: REC, name: REC + 1, on: REC + 2, level: REC + 3, wspace: REC + 4, fmt: REC + 5, trace: REC + 6, next: REC + 7 };
const RECORD_WORDS = 8;

/** The record a tthread_t pointer points to: there is only main's. */
function record(p: number): typeof R {
  if (p !== RECORD) throw new Error(`SIGSEGV: tthread_t pointer ${p}`);
  return R;
}

const HASH = (id: number): number => Math.abs(id % THRDMAX);

function hashReadEnter(w: Int32Array): void {
  lock(w, A._hashmutex);
  if (!w[A._hashreads]) semWait(w, A._hashsem);
  w[A._hashreads]!++;
  unlock(w, A._hashmutex);
}

function hashReadExit(w: Int32Array): void {
  lock(w, A._hashmutex);
  --w[A._hashreads]!;
  if (!w[A._hashreads]) semPost(w, A._hashsem);
  unlock(w, A._hashmutex);
}

const hashWriteEnter = (w: Int32Array): void => semWait(w, A._hashsem);
const hashWriteExit = (w: Int32Array): void => semPost(w, A._hashsem);

/** trc_thread: the record of thread `id`, found through the table; 0 if none. */
function trcThread(w: Int32Array, id: number): number {
  const index = HASH(id);
  let t = w[A._thread + index]!;
  for (t = w[A._thread + index]!; t !== 0; t = readLive(w, record(t).next, 'tthread_t->next')) {
    if (readLive(w, record(t).id, "main's tthread_t->id") === id) break;
  }
  return t;
}

/** trc_varargs: formats into the caller's record under the read lock; returns whether it had one. */
function trcVarargs(w: Int32Array, self: number, message: number): boolean {
  hashReadEnter(w);
  const t = trcThread(w, self);
  if (t !== 0) w[record(t).fmt] = message; // vsprintf(t->fmt, fmt, args)
  hashReadExit(w);
  return t !== 0;
}

function trcTrace(w: Int32Array, self: number, level: number): void {
  hashReadEnter(w);
  let t = 0;
  if (!w[A._fp] || !(t = trcThread(w, self))) {
    hashReadExit(w);
    return;
  }
  const r = record(t);
  const unit = w[A._unitmax]! > 0; // _unitmax > 0 && ...: trc_init got umax 0
  const thread = readLive(w, r.on, "main's tthread_t->on") !== 0 && (readLive(w, r.level, "main's tthread_t->level") & level) !== 0;
  if (!unit && !thread) {
    hashReadExit(w);
    return;
  }
  // sprintf(t->trace, "%s:%s:%d:%s:%n", buf, file, line, t->name, &n)
  w[r.trace] = readLive(w, r.name, "main's tthread_t->name");
  w[r.wspace] = 0; // t->wspace[WSPACELEN(n)] = '\0'
  // sprintf(t->trace + n, "%s%s\n", t->wspace, s), s being t->fmt
  w[r.trace] = readLive(w, r.wspace, "main's tthread_t->wspace") + readLive(w, r.fmt, "main's tthread_t->fmt");
  w[r.wspace] = 32; // t->wspace[WSPACELEN(n)] = ' '
  if (w[A._server]) throw new Error('the trace server is not modelled');
  // fprintf(_fp, "%s", t->trace); _msgs++
  if (w[A._fp] !== STDOUT) throw new Error('only _fp == stdout is modelled');
  readLive(w, r.trace, "main's tthread_t->trace");
  w[A._msgs]!++;
  hashReadExit(w);
}

/** TRC_PRINT / TRC_ERROR / TRC_RETURN: `if (_trc) trc_trace(..., trc_varargs(...))`. */
function trace(w: Int32Array, level: number, message: number): void {
  if (w[A._trc]) {
    trcVarargs(w, MAIN_ID, message);
    trcTrace(w, MAIN_ID, level);
  }
}

function trcAddThread(w: Int32Array, id: number): void {
  hashWriteEnter(w);
  const found = trcThread(w, id);
  if (found !== 0) {
    w[record(found).name] = id;
  } else {
    const r = record(RECORD); // malloc(sizeof(tthread_t))
    const i = HASH(id);
    w[r.id] = id;
    w[r.name] = id;
    w[r.on] = w[A._on]!;
    w[r.level] = w[A._tlevel]!;
    w[r.wspace] = 32;
    w[r.next] = w[A._thread + i]!;
    w[A._thread + i] = RECORD;
    w[A._numthreads]!++;
  }
  hashWriteExit(w);
}

function trcRemoveThread(w: Int32Array, id: number): void {
  hashWriteEnter(w);
  const i = HASH(id);
  if (w[A._thread + i] && readLive(w, record(w[A._thread + i]!).id, 'tthread_t->id') === id) {
    const cur = w[A._thread + i]!;
    w[A._thread + i] = readLive(w, record(cur).next, 'tthread_t->next');
    freeBlock(w, REC, RECORD_WORDS);
    w[A._numthreads]!--;
  } else {
    for (let cur = w[A._thread + i]!; cur !== 0; cur = readLive(w, record(cur).next, 'tthread_t->next')) {
      const next = readLive(w, record(cur).next, 'tthread_t->next');
      if (next && readLive(w, record(next).id, 'tthread_t->id') === id) {
        w[record(cur).next] = readLive(w, record(next).next, 'tthread_t->next');
        freeBlock(w, REC, RECORD_WORDS);
        w[A._numthreads]!--;
      }
    }
  }
  hashWriteExit(w);
}

/** trc_end: no lock taken, table pointers left dangling. */
function trcEnd(w: Int32Array): void {
  w[A._trc] = TRC_DISABLED;
  if (w[A._server]) throw new Error('the trace server is not modelled');
  for (let i = 0; i < THRDMAX; i++) {
    let next: number;
    for (let cur = w[A._thread + i]!; cur !== 0; cur = next) {
      next = readLive(w, record(cur).next, 'tthread_t->next');
      freeBlock(w, REC, RECORD_WORDS);
    }
  }
  // pthread_mutex_destroy(&_hashmutex); sem_destroy(&_hashsem); sem_destroy(&_startclient): see header.
  if (w[A._fp] !== STDOUT) throw new Error('only _fp == stdout is modelled'); // if (!SYSFILE(_fp)) fclose(_fp)
  w[A._initialised] = 0;
}

function trcInit(w: Int32Array): void {
  if (w[A._initialised]) return;
  w[A._trc] = TRC_ENABLED;
  w[A._on] = TRC_ON;
  w[A._tlevel] = TRC0;
  w[A._server] = 0;
  w[A._fp] = STDOUT; // trc_file(NULL)
  for (let i = 0; i < THRDMAX; i++) w[A._thread + i] = 0;
  // pthread_mutex_init(&_hashmutex): 0; sem_init(&_hashsem, 0, 1); sem_init(&_startclient, 0, 1)
  w[A._hashsem] = 1;
  w[A._startclient] = 1;
  w[A._initialised] = 1;
}

const I_EQUALS_0 = 1;
const MYSTRING = 2;
const RETURN_6 = 3;

export default defineProgram({
  name: 'ctrace-test',
  threads: 3,
  sharedBytes: L.bytes,
  description:
    "SCTBench misc ctrace-test: thread1's trc_end frees the per-thread records without a lock while main, past its `if (_trc)` test, is still tracing through them.",
  init(memory) {
    const w = wordsOf(memory, L.words);
    trcInit(w); // TRC_INIT(NULL, TRC_ENABLED, TRC_ON, TRC0, 0, TRC_SERV_OFF)
    trcAddThread(w, MAIN_ID); // TRC_ADD_THREAD(argv[0], 0)
    w[A.x] = '2'.charCodeAt(0); // int x = (int) argv[1][0]
  },
  thread(memory, t) {
    const w = wordsOf(memory, L.words);
    if (t === 0) {
      trace(w, TRC0, I_EQUALS_0); // TRC_PRINT(0, TRC0, ("i=%d", 0))
      trace(w, TRC_ERR, MYSTRING); // TRC_ERROR(0, ("mystring=%s", "stringval"))
      joinThread(w, A['thread1 finished']);
      trcRemoveThread(w, TID1);
      joinThread(w, A['thread2 finished']);
      trcRemoveThread(w, TID2);
      trace(w, TRC0, RETURN_6); // TRC_RETURN(0, TRC0, ("%d", i), i)
    } else if (t === 1) {
      trcEnd(w); // TRC_END()
      exitThread(w, A['thread1 finished']);
    } else {
      if (w[A.x] === 'b'.charCodeAt(0)) trcEnd(w);
      exitThread(w, A['thread2 finished']);
    }
  },
  describe: L.describe,
});
