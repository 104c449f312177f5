/**
 * stringbuffer-jdk1.4: the atomicity violation in java.lang.StringBuffer.append(StringBuffer) of JDK 1.4.
 *
 * Source: mc-imperial/sctbench, benchmarks/conc-bugs/stringbuffer-jdk1.4/{main.cpp, stringbuffer.cpp,
 * stringbuffer.hpp, DESCRIPTION} (group CB, "concurrency bugs"; Jie Yu's C++ rendering of the bug in
 * Flanagan and Qadeer, "A type and effect system for atomicity", PLDI 2003).
 *
 * The program: a global StringBuffer `buffer` holds "abc". A second thread erases it and appends "abc"
 * again; main appends `buffer` to a new, empty StringBuffer `sb`. Every method locks its own object's
 * mutex, so each call is atomic on its own.
 *
 * The bug: sb.append(buffer) reads len = buffer.length() (a locked call), then, in a second locked call,
 * copies len characters with buffer.getChars(0, len, ...). If the other thread's erase(0, 3) runs
 * between the two calls, len is stale: getChars finds srcEnd (3) > count (0) and asserts. One
 * preemption: main after length(), the other thread's erase, main again.
 *
 * The port: thread 0 is main (sb->append(buffer)), thread 1 is thread_main (erase, then append "abc"),
 * as in main.cpp with its `while (1)` loops commented out, as SCTBench has them. Each object keeps its
 * fields in shared words: its characters inline (one word per char), value_length, count, and its
 * mutex (lib/mutex.ts). The fields are plain C++ members, so they are read and written with plain
 * typed-array accesses, one per C++ access; the lock discipline is the original's (append holds sb's
 * lock while length() and getChars() take buffer's). Kept: the three checks of getChars as throws
 * (assert(0)). Dropped: the null_buffer case (never taken), print(), and expandCapacity, which no run
 * reaches (capacities 16 and 19 exceed every count; it throws if reached). The constructors run in init.
 */
import { defineProgram } from '../../src/index.ts';
import { layout, wordsOf } from './lib/layout.ts';
import { lock, unlock } from './lib/mutex.ts';

const ABC = 'abc';
/** StringBuffer(char *str) allocates strlen(str) + 16; StringBuffer() allocates 16. */
const BUFFER_CAPACITY = ABC.length + 16;
const SB_CAPACITY = 16;

const L = layout({
  'buffer.value': BUFFER_CAPACITY,
  'buffer.value_length': 1,
  'buffer.count': 1,
  'buffer.mutex_lock': 1,
  'sb.value': SB_CAPACITY,
  'sb.value_length': 1,
  'sb.count': 1,
  'sb.mutex_lock': 1,
});

/** Where one StringBuffer's fields are. */
interface StringBuffer {
  name: string;
  value: number;
  valueLength: number;
  count: number;
  mutex: number;
}

const buffer: StringBuffer = {
  name: 'buffer',
  value: L.at['buffer.value'],
  valueLength: L.at['buffer.value_length'],
  count: L.at['buffer.count'],
  mutex: L.at['buffer.mutex_lock'],
};
const sb: StringBuffer = {
  name: 'sb',
  value: L.at['sb.value'],
  valueLength: L.at['sb.value_length'],
  count: L.at['sb.count'],
  mutex: L.at['sb.mutex_lock'],
};

function assertFails(method: string, why: string): never {
  throw new Error(`assert(0) in StringBuffer::${method}: ${why}`);
}

function expandCapacity(self: StringBuffer): never {
  throw new Error(`StringBuffer::expandCapacity on ${self.name} is not modelled (no run of this program reaches it)`);
}

function length(w: Int32Array, self: StringBuffer): number {
  lock(w, self.mutex);
  const ret = w[self.count]!;
  unlock(w, self.mutex);
  return ret;
}

function getChars(w: Int32Array, self: StringBuffer, srcBegin: number, srcEnd: number, dst: StringBuffer, dstBegin: number): void {
  lock(w, self.mutex);
  if (srcBegin < 0) assertFails('getChars', `srcBegin ${srcBegin} < 0`);
  // The check the stale len trips: count is read here, under the lock, long after len was.
  if (srcEnd < 0 || srcEnd > w[self.count]!) assertFails('getChars', `srcEnd ${srcEnd} > count of ${self.name}`);
  if (srcBegin > srcEnd) assertFails('getChars', `srcBegin ${srcBegin} > srcEnd ${srcEnd}`);
  for (let k = 0; k < srcEnd - srcBegin; k++) w[dst.value + dstBegin + k] = w[self.value + srcBegin + k]!;
  unlock(w, self.mutex);
}

/** append(StringBuffer *sb): two locked calls on the other buffer, with nothing holding them together. */
function appendBuffer(w: Int32Array, self: StringBuffer, other: StringBuffer): void {
  lock(w, self.mutex);
  const len = length(w, other);
  const newcount = w[self.count]! + len;
  if (newcount > w[self.valueLength]!) expandCapacity(self);
  getChars(w, other, 0, len, self, w[self.count]!);
  w[self.count] = newcount;
  unlock(w, self.mutex);
}

function appendString(w: Int32Array, self: StringBuffer, str: string): void {
  lock(w, self.mutex);
  const len = str.length;
  const newcount = w[self.count]! + len;
  if (newcount > w[self.valueLength]!) expandCapacity(self);
  const at = w[self.count]!;
  for (let k = 0; k < len; k++) w[self.value + at + k] = str.charCodeAt(k);
  w[self.count] = newcount;
  unlock(w, self.mutex);
}

function erase(w: Int32Array, self: StringBuffer, start: number, end: number): void {
  lock(w, self.mutex);
  if (start < 0) assertFails('erase', `start ${start} < 0`);
  if (end > w[self.count]!) end = w[self.count]!;
  if (start > end) assertFails('erase', `start ${start} > end ${end}`);
  const len = end - start;
  if (len > 0) {
    const tail = w[self.count]! - end;
    for (let k = 0; k < tail; k++) w[self.value + start + k] = w[self.value + start + len + k]!;
    w[self.count]! -= len;
  }
  unlock(w, self.mutex);
}

export default defineProgram({
  name: 'stringbuffer-jdk1.4',
  threads: 2,
  sharedBytes: L.bytes,
  description:
    'SCTBench CB stringbuffer-jdk1.4: sb.append(buffer) reads buffer.length() and copies that many chars in a second locked call; an erase in between makes getChars assert.',
  init(memory) {
    const w = wordsOf(memory, L.words);
    // StringBuffer *buffer = new StringBuffer("abc"): the global, built before main starts the thread.
    w[buffer.valueLength] = BUFFER_CAPACITY;
    appendString(w, buffer, ABC);
    // StringBuffer *sb = new StringBuffer(): main's, built before it appends.
    w[sb.valueLength] = SB_CAPACITY;
  },
  thread(memory, t) {
    const w = wordsOf(memory, L.words);
    if (t === 0) {
      appendBuffer(w, sb, buffer);
    } else {
      erase(w, buffer, 0, 3);
      appendString(w, buffer, ABC);
    }
  },
  describe: L.describe,
});
