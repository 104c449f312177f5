/**
 * pbzip2-0.9.4: the order violation in pbzip2 0.9.4's shutdown: main frees the work queue while a
 * consumer thread still uses its mutex.
 *
 * Source: mc-imperial/sctbench, benchmarks/conc-bugs/pbzip2-0.9.4/{DESCRIPTION, pbzip2-0.9.4.patch,
 * pbzip2-0.9.4/pbzip2.cpp: main, producer, consumer, fileWriter, queueInit, queueDelete, queueAdd,
 * queueDel} (group CB), run as `pbzip2 -k -f -p2 -1 -b1 test.tar` (run.sh, num_threads 2).
 *
 * The program: main starts numCPU consumer threads and one fileWriter thread, then runs the producer:
 * it reads the input a block at a time and queues each block on a bounded FIFO (mutex fifo->mut,
 * conditions notFull / notEmpty), then sets allDone. A consumer takes blocks off the FIFO, compresses
 * them into OutputBuffer[blockNum], and exits when it finds the FIFO empty and allDone set. The
 * fileWriter polls OutputBuffer in block order and writes each block out. Main joins only the
 * fileWriter, then resets the FIFO's fields, deletes the FIFO (queueDelete: destroys and deletes its
 * mutex and conditions and sets their pointers to NULL, then deletes the struct), and deletes OutMutex
 * and MemMutex.
 *
 * The bug: main never joins the consumers. Once the fileWriter has written the last block, main frees
 * the FIFO, but a consumer may still be inside its loop: between seeing allDone and its
 * pthread_mutex_unlock(fifo->mut), waking from pthread_cond_timedwait (which relocks fifo->mut), or
 * about to lock fifo->mut for another look; it then reads fifo->mut from freed memory, or finds it
 * NULL, and crashes (SIGSEGV in the original report). The consumer must be preempted inside its last
 * iteration while the other threads finish: SCTBench's patch widens that window with sleep(1) calls.
 *
 * The port: thread 0 is main (the producer, then the join, then the clean-up), threads 1 and 2 the two
 * consumers, thread 3 the fileWriter. Shared state is the C globals and heap structs in words: allDone,
 * NumBlocks, the OutMutex / MemMutex pointers and the mutexes they point to, OutputBuffer, the FIFO
 * struct (its buf / bufSize / blockNum arrays inline, head, tail, full, empty, and the pointers mut,
 * notFull, notEmpty), and what those pointers point to. All are plain C++ data, so plain typed-array
 * reads and writes, one per C++ access; the mutexes are lib/mutex.ts and the conditions
 * lib/condvar.ts. A pointer word is 1 while it points at its object and 0 once set to NULL; every use of
 * a mutex or condition reads its pointer first, as the C++ does, and a NULL pointer throws (the SIGSEGV).
 * Freed memory is overwritten with FREED (lib/freed.ts): a read of a freed FIFO field, or a lock or
 * unlock of a freed mutex, throws as a use after free.
 *
 * Kept: the producer / consumer / fileWriter loops, the FIFO code (queueAdd, queueDel), the lock
 * discipline (allDone, OutputBuffer reads and the FIFO resets in main are unlocked, as in the
 * original), main's clean-up order. Modelled: pthread_cond_timedwait's 1-second timeout and the
 * fileWriter's usleep(50000) poll are Atomics.wait calls with those timeouts (lib/condvar.ts
 * timedWait; the writer sleeps on the bufSize word it found empty), which a controlled run lets expire
 * only when nothing else can move; pthread_join(output) is lib/join.ts. Scaled down: 2 blocks of input
 * (block contents, the file reads and writes, and compression are local work and not modelled; a block
 * is its number). Dropped: the sleep(1) calls the patch adds, file metadata and statistics, the
 * PBZIP_DEBUG output, error paths that never run, OutputBuffer.clear() (it frees nothing, and the only
 * reader of the vector's size has exited), and pthread_mutex_destroy / pthread_cond_destroy (glibc's
 * return EBUSY or do nothing that matters here; the delete that follows each is what the port models).
 * When the fileWriter runs ahead of allDone it reads OutputBuffer[NumBlocks], one past the end of the
 * vector (a latent out-of-bounds read in 0.9.4): the port gives OutputBuffer one spare slot that reads
 * as empty, as a zero heap word past the end would.
 *
 * Serial order: thread 0 waits in pthread_join for the fileWriter, which needs the consumers; the port
 * test does not expect the serial order to pass.
 */
import { defineProgram } from '../../src/index.ts';
import { CONDVAR_FIELDS, signal, timedWait, wait } from './lib/condvar.ts';
import { freeBlock, readLive } from './lib/freed.ts';
import { exitThread, joinThread } from './lib/join.ts';
import { layout, wordsOf } from './lib/layout.ts';
import { lock, unlock } from './lib/mutex.ts';

const NUM_CPU = 2;
/** queueInit(numCPU). */
const QUEUESIZE = NUM_CPU;
const NUM_BLOCKS = 2;
const BLOCK_SIZE = 1;
const TIMEDWAIT_MS = 1000;
const WRITER_POLL_MS = 50;

const L = layout({
  allDone: 1,
  NumBlocks: 1,
  OutMutex: 1,
  '*OutMutex': 1,
  MemMutex: 1,
  '*MemMutex': 1,
  // One spare entry past the vector's end: see the header.
  'OutputBuffer.buf': NUM_BLOCKS + 1,
  'OutputBuffer.bufSize': NUM_BLOCKS + 1,
  'fifo->buf': QUEUESIZE,
  'fifo->bufSize': QUEUESIZE,
  'fifo->blockNum': QUEUESIZE,
  'fifo->head': 1,
  'fifo->tail': 1,
  'fifo->full': 1,
  'fifo->empty': 1,
  'fifo->mut': 1,
  'fifo->notFull': 1,
  'fifo->notEmpty': 1,
  '*fifo->mut': 1,
  '*fifo->notFull': CONDVAR_FIELDS,
  '*fifo->notEmpty': CONDVAR_FIELDS,
  'output finished': 1,
});
const A = L.at;
/** The struct `delete q` frees: from its first field to its last. */
const FIFO_STRUCT = A['fifo->buf'];
const FIFO_STRUCT_WORDS = A['fifo->notEmpty'] + 1 - FIFO_STRUCT;

/** A pointer field or global: 1 while it points at `target`. */
interface Pointer {
  field: number;
  target: number;
  targetWords: number;
  name: string;
}
const fifoMut: Pointer = { field: A['fifo->mut'], target: A['*fifo->mut'], targetWords: 1, name: 'fifo->mut' };
const fifoNotFull: Pointer = { field: A['fifo->notFull'], target: A['*fifo->notFull'], targetWords: CONDVAR_FIELDS.length, name: 'fifo->notFull' };
const fifoNotEmpty: Pointer = { field: A['fifo->notEmpty'], target: A['*fifo->notEmpty'], targetWords: CONDVAR_FIELDS.length, name: 'fifo->notEmpty' };
const outMutex: Pointer = { field: A.OutMutex, target: A['*OutMutex'], targetWords: 1, name: 'OutMutex' };
const memMutex: Pointer = { field: A.MemMutex, target: A['*MemMutex'], targetWords: 1, name: 'MemMutex' };

/** Loads a pointer, as passing it to pthread_* does; NULL is the SIGSEGV of the original report. */
function deref(w: Int32Array, p: Pointer): number {
  if (readLive(w, p.field, p.name) === 0) throw new Error(`SIGSEGV: ${p.name} is NULL`);
  return p.target;
}

/** `if (p != NULL) { destroy; delete p; p = NULL; }` */
function deleteObject(w: Int32Array, p: Pointer): void {
  if (w[p.field] === 0) return;
  // pthread_mutex_destroy / pthread_cond_destroy(p): glibc's change nothing a later use here depends on.
  deref(w, p);
  freeBlock(w, deref(w, p), p.targetWords);
  w[p.field] = 0;
}

function fifo(w: Int32Array, field: number, name: string): number {
  return readLive(w, field, `fifo->${name}`);
}

function queueAdd(w: Int32Array, item: number, bufSize: number, blockNum: number): void {
  w[A['fifo->buf'] + fifo(w, A['fifo->tail'], 'tail')] = item;
  w[A['fifo->bufSize'] + fifo(w, A['fifo->tail'], 'tail')] = bufSize;
  w[A['fifo->blockNum'] + fifo(w, A['fifo->tail'], 'tail')] = blockNum;
  w[A['fifo->tail']] = fifo(w, A['fifo->tail'], 'tail') + 1;
  if (fifo(w, A['fifo->tail'], 'tail') === QUEUESIZE) w[A['fifo->tail']] = 0;
  if (fifo(w, A['fifo->tail'], 'tail') === fifo(w, A['fifo->head'], 'head')) w[A['fifo->full']] = 1;
  w[A['fifo->empty']] = 0;
}

function queueDel(w: Int32Array): { out: number; bufSize: number; blockNum: number } {
  const out = fifo(w, A['fifo->buf'] + fifo(w, A['fifo->head'], 'head'), 'buf[head]');
  const bufSize = fifo(w, A['fifo->bufSize'] + fifo(w, A['fifo->head'], 'head'), 'bufSize[head]');
  const blockNum = fifo(w, A['fifo->blockNum'] + fifo(w, A['fifo->head'], 'head'), 'blockNum[head]');
  w[A['fifo->head']] = fifo(w, A['fifo->head'], 'head') + 1;
  if (fifo(w, A['fifo->head'], 'head') === QUEUESIZE) w[A['fifo->head']] = 0;
  if (fifo(w, A['fifo->head'], 'head') === fifo(w, A['fifo->tail'], 'tail')) w[A['fifo->empty']] = 1;
  w[A['fifo->full']] = 0;
  return { out, bufSize, blockNum };
}

function queueDelete(w: Int32Array): void {
  deleteObject(w, fifoMut);
  deleteObject(w, fifoNotFull);
  deleteObject(w, fifoNotEmpty);
  freeBlock(w, FIFO_STRUCT, FIFO_STRUCT_WORDS);
}

/** Heap blocks are not modelled, only their handles: a block's data is its number + 1 (never NULL). */
function newBlock(w: Int32Array, blockNum: number): number {
  lock(w, deref(w, memMutex));
  const handle = blockNum + 1;
  unlock(w, deref(w, memMutex));
  return handle;
}

/** delete [] of a data block: heap blocks are not modelled, so nothing to do with the handle. */
function releaseHandle(_handle: number): void {}

function deleteBlock(w: Int32Array): void {
  lock(w, deref(w, memMutex));
  unlock(w, deref(w, memMutex));
}

function producer(w: Int32Array): void {
  let bytesLeft = NUM_BLOCKS * BLOCK_SIZE;
  let blockNum = 0;
  while (bytesLeft > 0) {
    const inSize = bytesLeft > BLOCK_SIZE ? BLOCK_SIZE : bytesLeft;
    const fileData = newBlock(w, blockNum);
    bytesLeft -= inSize; // read(hInfile, FileData, inSize) read it all
    lock(w, deref(w, fifoMut));
    while (fifo(w, A['fifo->full'], 'full')) wait(w, deref(w, fifoNotFull), deref(w, fifoMut));
    queueAdd(w, fileData, inSize, blockNum);
    unlock(w, deref(w, fifoMut));
    signal(w, deref(w, fifoNotEmpty));
    blockNum++;
  }
  w[A.allDone] = 1;
}

function consumer(w: Int32Array): void {
  for (;;) {
    lock(w, deref(w, fifoMut));
    while (fifo(w, A['fifo->empty'], 'empty')) {
      if (w[A.allDone] === 1) {
        // The window: main may free the FIFO between the read of allDone and this unlock.
        unlock(w, deref(w, fifoMut));
        return;
      }
      timedWait(w, deref(w, fifoNotEmpty), deref(w, fifoMut), TIMEDWAIT_MS);
    }
    const { out: fileData, blockNum } = queueDel(w);
    unlock(w, deref(w, fifoMut));
    signal(w, deref(w, fifoNotFull));

    const compressedData = newBlock(w, blockNum); // new char[outSize], then BZ2_bzBuffToBuffCompress
    const outSize = 1;
    lock(w, deref(w, outMutex));
    w[A['OutputBuffer.buf'] + blockNum] = compressedData;
    w[A['OutputBuffer.bufSize'] + blockNum] = outSize;
    unlock(w, deref(w, outMutex));
    if (fileData !== 0) deleteBlock(w);
  }
}

function fileWriter(w: Int32Array): void {
  let currBlock = 0;
  while (currBlock < w[A.NumBlocks]! || w[A.allDone] === 0) {
    const size = w[A['OutputBuffer.bufSize'] + currBlock]!;
    if (size < 1 || w[A['OutputBuffer.buf'] + currBlock] === 0) {
      // usleep(50000): sleep until that entry changes or the time is up.
      Atomics.wait(w, A['OutputBuffer.bufSize'] + currBlock, size, WRITER_POLL_MS);
      continue;
    }
    // write(hOutfile, buf, bufSize) is local I/O.
    lock(w, deref(w, memMutex));
    // if (buf != NULL) delete [] buf: the test is a shared read; the block itself is not modelled.
    releaseHandle(w[A['OutputBuffer.buf'] + currBlock]!);
    unlock(w, deref(w, memMutex));
    currBlock++;
  }
  exitThread(w, A['output finished']);
}

function main(w: Int32Array): void {
  producer(w);
  joinThread(w, A['output finished']);
  // "reclaim memory": unlocked resets, then the deletes, with consumers possibly still running.
  w[A['fifo->empty']] = 1;
  w[A['fifo->full']] = 0;
  w[A['fifo->head']] = 0;
  w[A['fifo->tail']] = 0;
  queueDelete(w);
  deleteObject(w, outMutex);
  deleteObject(w, memMutex);
}

export default defineProgram({
  name: 'pbzip2-0.9.4',
  threads: 1 + NUM_CPU + 1,
  sharedBytes: L.bytes,
  description:
    'SCTBench CB pbzip2-0.9.4: main joins only the fileWriter, then deletes the FIFO and its mutex while a consumer may still unlock or relock fifo->mut.',
  init(memory) {
    // main up to the creation of the threads: the mutexes, queueInit, NumBlocks, OutputBuffer.
    const w = wordsOf(memory, L.words);
    w[A.OutMutex] = 1;
    w[A.MemMutex] = 1;
    w[A['fifo->empty']] = 1;
    w[A['fifo->mut']] = 1;
    w[A['fifo->notFull']] = 1;
    w[A['fifo->notEmpty']] = 1;
    w[A.NumBlocks] = NUM_BLOCKS;
  },
  thread(memory, t) {
    const w = wordsOf(memory, L.words);
    if (t === 0) main(w);
    else if (t <= NUM_CPU) consumer(w);
    else fileWriter(w);
  },
  describe: L.describe,
});

