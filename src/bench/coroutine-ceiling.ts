/**
 * `npx tsx src/bench/coroutine-ceiling.ts`: what a scheduling step would cost if the logical threads
 * were coroutines on one thread (as shuttle runs them) instead of one worker each. A design measurement,
 * not a mode of pagerace: a byte-CAS page allocator's alloc and free written by hand as generators that
 * yield at every Atomics call, driven by a seeded random pick at every step, as random walk picks. It
 * is the ceiling such an engine could reach, since a source transform would add a `yield*` per call.
 * Compare with `npm run bench:steps`, where the turn passes between workers through Atomics.wait.
 */
import seedrandom from 'seedrandom';

const PAGES = 256;
const BYTES = PAGES / 8;
const HELD = 16;

/** A pending Atomics call: what a parked thread would show the scheduler. */
type Call = readonly ['load', number] | readonly ['cas', number, number, number] | readonly ['add' | 'sub', number];

type Thread = Generator<Call, void, number>;

function* alloc(hint: number): Generator<Call, number, number> {
  for (let i = 0; i < BYTES; i++) {
    const b = (hint + i) % BYTES;
    const old = yield ['load', b];
    if (old === 0xff) continue;
    const free = ~old & 0xff;
    const bit = 31 - Math.clz32(free & -free);
    // On a failed CAS the search goes on at the next byte, as byte-cas does.
    if ((yield ['cas', b, old, old | (1 << bit)]) === old) {
      yield ['sub', 1];
      return b * 8 + bit;
    }
  }
  return -1;
}

function* free(page: number): Generator<Call, void, number> {
  const b = page >> 3;
  for (;;) {
    const old = yield ['load', b];
    if ((yield ['cas', b, old, old & ~(1 << (page & 7))]) === old) break;
  }
  yield ['add', 1];
}

function* thread(t: number, ops: number): Thread {
  const held: number[] = [];
  for (let i = 0; i < ops; i++) {
    if (held.length < HELD && i % 2 === 0) {
      const page = yield* alloc(t * 4);
      if (page >= 0) held.push(page);
    } else if (held.length > 0) yield* free(held.pop()!);
  }
}

/** Runs one schedule of `threads` x `ops`; returns its steps. */
function schedule(threads: number, ops: number, random: () => number): number {
  const bits = new Uint8Array(new SharedArrayBuffer(BYTES));
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const perform = (call: Call): number => {
    switch (call[0]) {
      case 'load':
        return Atomics.load(bits, call[1]);
      case 'cas':
        return Atomics.compareExchange(bits, call[1], call[2], call[3]);
      case 'add':
        return Atomics.add(counter, 0, call[1]);
      case 'sub':
        return Atomics.sub(counter, 0, call[1]);
    }
  };
  const running: { thread: Thread; pending: Call }[] = [];
  for (let t = 0; t < threads; t++) {
    const g = thread(t, ops);
    const first = g.next(0);
    if (!first.done) running.push({ thread: g, pending: first.value });
  }
  let steps = 0;
  while (running.length > 0) {
    const k = Math.floor(random() * running.length);
    const picked = running[k]!;
    const next = picked.thread.next(perform(picked.pending));
    steps++;
    if (next.done) running.splice(k, 1);
    else picked.pending = next.value;
  }
  return steps;
}

for (const threads of [2, 4, 8]) {
  const random = seedrandom.alea(`coroutines/${threads}`);
  let steps = 0;
  let schedules = 0;
  const started = performance.now();
  while (performance.now() - started < 2000) {
    steps += schedule(threads, 200, random);
    schedules++;
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(`${threads} threads: ${Math.round(steps / seconds).toLocaleString('en-US')} steps/s, ${schedules} schedules of ${Math.round(steps / schedules)} steps`);
}
