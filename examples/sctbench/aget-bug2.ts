/**
 * aget-bug2: the data race and atomicity violation in Aget's save_log (Aget, a multithreaded HTTP
 * download accelerator, devel version of 2004).
 *
 * Source: mc-imperial/sctbench, benchmarks/conc-bugs/aget-bug2/{DESCRIPTION, aget-bug2.patch,
 * aget-devel/Download.c (http_get), aget-devel/Resume.c (save_log), aget-devel/Signal.c
 * (signal_waiter, sigint_handler), aget-devel/Aget.c (startHTTP), aget-devel/Misc.c (calc_offset)}
 * (group CB). SCTBench's copy replaces the network with files (socket_m / recv_m read a saved HTTP
 * response) and makes the signal thread call sigint_handler() at once, as if ^C arrived immediately;
 * save_log ends with the assertion the port keeps.
 *
 * The program: startHTTP splits the download into nthreads ranges [soffset, foffset) and starts a
 * signal thread and one http_get worker per range. A worker writes each chunk it receives, then
 * advances its own td->offset (unlocked), then adds the chunk to the global bwritten under
 * bwritten_mutex. On ^C, save_log snapshots the workers' thread_data with memcpy, then reads bwritten,
 * neither under any lock, and asserts that the bytes the snapshot says were written (the sum of
 * offset - soffset) equal the snapshot of bwritten.
 *
 * The bug: the two snapshots are not taken atomically with respect to a worker's two updates. If a
 * worker advances td->offset and bwritten between save_log's memcpy and its read of bwritten (or
 * advances td->offset before the memcpy and bwritten after the read), the totals differ and the
 * assertion fails. One preemption of save_log suffices.
 *
 * The port: thread 0 is the signal thread (sigint_handler -> save_log), threads 1 and 2 are the two
 * http_get workers (35147 bytes make numofthreads() pick 2 with glibc's BUFSIZ of 8192, matching the
 * response files "0" and "17573" SCTBench ships). startHTTP's set-up before it creates the threads is
 * init; its pthread_joins at the end are dropped (nothing after them touches the shared state), so
 * main has no thread of its own. Shared variables are plain C globals and struct fields, so they are
 * accessed with plain typed-array reads and writes, one per C access (td->offset is read again for each
 * argument of pwrite that names it); bwritten_mutex is lib/mutex.ts. Kept: the loop structure of
 * http_get (one first write after the header, then one write per recv until foffset), the
 * download-complete early return and the wthread == NULL check of save_log, the memcpy of each
 * worker's numeric fields, the assertion. Scaled down: content length 12 bytes instead of 35147,
 * MAXBUFSIZ 4 instead of 8192, a 1-byte header, so each worker makes two writes. Dropped: the file and
 * socket I/O (local), the clock reads (t_start / t_finish), the usleep calls the patch adds to widen
 * the window, the log file (commented out in SCTBench's copy), and exit(0) after save_log (a port
 * cannot end the other threads; nothing they do afterwards matters to the assertion).
 */
import { defineProgram } from '../../src/index.ts';
import { layout, wordsOf } from './lib/layout.ts';
import { lock, unlock } from './lib/mutex.ts';

const CLENGTH = 12;
const NTHREADS = 2;
const MAXBUFSIZ = 4;
/** Bytes of HTTP header before the body in each worker's first recv. */
const HEADER = 1;
const STAT_OK = 1;

const L = layout({
  bwritten: 1,
  bwritten_mutex: 1,
  'req->clength': 1,
  nthreads: 1,
  /** The wthread pointer: 1 once startHTTP has allocated the array. */
  wthread: 1,
  'wthread[0].soffset': 1,
  'wthread[0].foffset': 1,
  'wthread[0].offset': 1,
  'wthread[0].status': 1,
  'wthread[1].soffset': 1,
  'wthread[1].foffset': 1,
  'wthread[1].offset': 1,
  'wthread[1].status': 1,
});

interface ThreadData {
  soffset: number;
  foffset: number;
  offset: number;
  status: number;
}

const FIELDS_PER_THREAD = 4;
function td(i: number): ThreadData {
  const base = L.at['wthread[0].soffset'] + i * FIELDS_PER_THREAD;
  return { soffset: base, foffset: base + 1, offset: base + 2, status: base + 3 };
}

/** calc_offset in Misc.c. */
function calcOffset(total: number, part: number, nthreads: number): number {
  return part * Math.trunc(total / nthreads);
}

/** pwrite to the local file: writes all it is given; the position argument matters only to the file. */
function pwrite(count: number, _position: number): number {
  return count;
}

/** recv_m on the saved response: the header and the body from soffset to the end, a buffer at a time. */
class Socket {
  private left: number;
  constructor(soffset: number) {
    this.left = HEADER + CLENGTH - soffset;
  }
  recv(length: number): number {
    const n = Math.min(length, this.left);
    this.left -= n;
    return n;
  }
}

function httpGet(w: Int32Array, i: number): void {
  const d = td(i);
  const foffset = w[d.foffset]!;
  if (w[d.soffset]! < 0 || w[d.soffset]! >= foffset) {
    w[d.status] = STAT_OK;
    return;
  }
  const sd = new Socket(w[d.soffset]!);
  let dr = sd.recv(MAXBUFSIZ - 1);
  // The scan for the blank line that ends the header is local work on rbuf.
  const i0 = HEADER;
  let dw: number;
  if (dr - i0 > foffset) dw = pwrite(foffset - i0, w[d.soffset]!);
  else dw = pwrite(dr - i0, w[d.soffset]!);
  w[d.offset] = w[d.soffset]! + dw;
  lock(w, L.at.bwritten_mutex);
  w[L.at.bwritten]! += dw;
  unlock(w, L.at.bwritten_mutex);

  while (w[d.offset]! < foffset) {
    dr = sd.recv(MAXBUFSIZ);
    if (w[d.offset]! + dr > foffset) dw = pwrite(foffset - w[d.offset]!, w[d.offset]!);
    else dw = pwrite(dr, w[d.offset]!);
    // The worker's own progress, unlocked: the first of the two updates save_log must see together.
    w[d.offset]! += dw;
    lock(w, L.at.bwritten_mutex);
    w[L.at.bwritten]! += dw;
    unlock(w, L.at.bwritten_mutex);
  }
  if (w[d.offset] === w[d.foffset]) w[d.status] = STAT_OK;
}

function saveLog(w: Int32Array): void {
  if (w[L.at.wthread] === 0) return;
  if (w[L.at.bwritten] === w[L.at['req->clength']]) return; // "Download already complete"

  // memcpy(&(h.wthread), wthread, sizeof(struct thread_data) * nthreads): field by field, unlocked.
  const nthreads = w[L.at.nthreads]!;
  const h: ThreadData[] = [];
  for (let i = 0; i < nthreads; i++) {
    const d = td(i);
    h.push({ soffset: w[d.soffset]!, foffset: w[d.foffset]!, offset: w[d.offset]!, status: w[d.status]! });
  }
  const hNthreads = w[L.at.nthreads]!;
  // Read after the snapshot, so a worker's update in between is in one total and not the other.
  const hBwritten = w[L.at.bwritten]!;

  let totalBwritten = 0;
  for (let i = 0; i < hNthreads; i++) totalBwritten += h[i]!.offset - h[i]!.soffset;
  if (totalBwritten !== hBwritten) {
    throw new Error(`assertion total_bwritten == h.bwritten failed in save_log: the threads' offsets say ${totalBwritten} bytes, bwritten says ${hBwritten}`);
  }
}

export default defineProgram({
  name: 'aget-bug2',
  threads: 1 + NTHREADS,
  sharedBytes: L.bytes,
  description:
    "SCTBench CB aget-bug2: save_log snapshots the workers' offsets, then bwritten, unlocked; a worker's chunk landing in between breaks assert(total_bwritten == h.bwritten).",
  init(memory) {
    // startHTTP, up to the creation of the threads.
    const w = wordsOf(memory, L.words);
    w[L.at['req->clength']] = CLENGTH;
    w[L.at.nthreads] = NTHREADS;
    w[L.at.wthread] = 1;
    for (let i = 0; i < NTHREADS; i++) {
      const d = td(i);
      w[d.soffset] = calcOffset(CLENGTH, i, NTHREADS);
      w[d.foffset] = i === NTHREADS - 1 ? CLENGTH : calcOffset(CLENGTH, i + 1, NTHREADS);
      w[d.offset] = w[d.soffset]!;
    }
  },
  thread(memory, t) {
    const w = wordsOf(memory, L.words);
    if (t === 0) saveLog(w);
    else httpGet(w, t - 1);
  },
  describe: L.describe,
});
