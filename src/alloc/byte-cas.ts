/**
 * byte-cas: the lock-free bitmap allocator of `shared/seeds/byte-cas-bitmap.txt`.
 *
 * One bit per page, in 4096-byte blocks: a 128-byte header and 3968 bytes of bitmap, so one block
 * manages 31,744 pages (124 MiB of 4 KiB pages). A page is claimed by an `Atomics.compareExchange` on the
 * byte that holds its bit, then the block's free counter is updated atomically. A failed CAS moves the
 * search on to the next byte, `((bit >> 3) + 1) << 3`. Runs of 2^k pages (up to 512, a 2 MiB large page)
 * are claimed aligned inside one block, byte by byte, all or nothing.
 *
 * Invariants at quiescence, checked by {@link auditByteCas}:
 * - an online block's free counter equals the number of clear bits among its pages;
 * - bits of pages past the end of memory are set, so no search can ever hand them out;
 * - an offline block has every bit set and a free counter of 0: taking a block offline is claiming all
 *   of its pages at once, which is why it needs no lock.
 */
import type { SharedLayout } from '../harness/shared-layout.ts';
import type { AllocatorDefinition, MemoryLocation, PageAllocator, SharedRegion } from './contract.ts';
import { checkPage, checkRange, checkRunLength } from './guard.ts';

/**
 * One block (blocks lie `bytes` apart from the region's start): a header of Int32 words, then the
 * bitmap, one bit per page, claimed and released byte by byte with Atomics on a Uint8Array.
 */
export const ByteCasBlockLayout = {
  bytes: 4096,
  i32: {
    /**
     * invariant (quiescent): number of clear bits among the block's pages. Claimers subtract after
     * their CAS wins, so it can lag behind the bitmap mid-call: alloc reads it only to skip blocks
     * that cannot serve a run.
     */
    free: 0,
    /** First page the block manages; set once by init, read without Atomics after. */
    base: 1,
    /** Pages the block manages (31,744 but for the last block); set once by init. */
    count: 2,
    /** A byte index at or before the first byte with a clear bit; racy, a hint only: a search starts there. */
    hint: 3,
    /** One of BlockState: CAS online -> changing is what lets removeMemory take a block without a lock. */
    state: 4,
  },
  /** The header is 128 bytes, not 20, so the bitmap starts on its own cache lines. */
  u8: { bitmap: { index: 128, length: 4096 - 128 } },
} as const satisfies SharedLayout;
export const BLOCK_BYTES = ByteCasBlockLayout.bytes;
export const HEADER_BYTES = ByteCasBlockLayout.u8.bitmap.index;
export const BITMAP_BYTES = ByteCasBlockLayout.u8.bitmap.length;
export const PAGES_PER_BLOCK = BITMAP_BYTES * 8;
export const MAX_RUN = 512;
const SLOTS_PER_BLOCK = BLOCK_BYTES / 4;

export const BlockState = {
  /** Every bit set by the thread that took it offline; its pages belong to nobody. */
  offline: 0,
  online: 1,
  /** Being taken offline or brought online; only ever seen while a removeMemory/addMemory runs. */
  changing: 2,
} as const;

/** Bytes of bitmap the block's pages use; the rest of its 3968 bytes stay 0xFF. */
function usedBytes(count: number): number {
  return (count + 7) >> 3;
}

/** The value a bitmap byte has when all of its real pages are free: bits past the last page stay set. */
function freeByteValue(count: number, byte: number): number {
  const pagesInByte = count - byte * 8;
  return pagesInByte >= 8 ? 0 : (0xff << pagesInByte) & 0xff;
}

function blockCount(pages: number): number {
  return Math.ceil(pages / PAGES_PER_BLOCK);
}

/**
 * One thread's view of a byte-cas region. The known-bug variants subclass it and override exactly one
 * protected step, so each variant differs from the real thing in one place only.
 */
export class ByteCasView implements PageAllocator {
  /** Thread-local tallies the harness reads after a run; plain numbers, never shared. */
  readonly counters = { casFailures: 0, bytesScanned: 0 };
  protected readonly u8: Uint8Array;
  protected readonly i32: Int32Array;
  private readonly blocks: number;
  /** invariant: the block where this thread last found memory; its next search starts there. */
  private block: number;

  constructor(
    memory: SharedRegion,
    private readonly pages: number,
    thread: number,
    protected readonly name: string,
  ) {
    this.blocks = blockCount(pages);
    const length = this.blocks * BLOCK_BYTES;
    this.u8 = new Uint8Array(memory.buffer, memory.byteOffset, length);
    this.i32 = new Int32Array(memory.buffer, memory.byteOffset, length >> 2);
    // Threads start in different blocks so that, while memory lasts, they do not fight over one bitmap.
    this.block = thread % this.blocks;
  }

  /**
   * Sets the bits of `desired` in bitmap byte `index` if it still holds `expected`. The whole design
   * rests on this being one atomic step: two threads that saw the same clear bit cannot both win it.
   */
  protected update(index: number, expected: number, desired: number): boolean {
    return Atomics.compareExchange(this.u8, index, expected, desired) === expected;
  }

  /**
   * The byte where the search goes on after a failed CAS for bit `bit` (counted from the block's first
   * page): the seed's intent, the first bit of the next byte, `((bit >> 3) + 1) << 3`, as a byte index.
   */
  protected nextByte(bit: number): number {
    return (((bit >> 3) + 1) << 3) >> 3;
  }

  /** What a multi-byte claim that lost a byte midway reports, after undoing the bytes it took. */
  protected partialClaimSucceeds(): boolean {
    return false;
  }

  alloc(count: number): number {
    if (count !== 1) checkRunLength(this.name, count, MAX_RUN, 'power-of-two');
    const blocks = this.blocks;
    let b = this.block;
    for (let k = 0; k < blocks; k++) {
      const header = b * SLOTS_PER_BLOCK;
      // The counter is read plainly, as a hint: it lags the bitmap by one atomic step either way, and it
      // lets a search skip a full block without touching its bitmap. The CAS decides, not this read.
      if (this.i32[header + ByteCasBlockLayout.i32.free]! >= count) {
        const page = count === 1 ? this.claimOne(b, header) : count < 8 ? this.claimInByte(b, header, count) : this.claimBytes(b, header, count >> 3);
        if (page >= 0) {
          this.block = b;
          return page;
        }
      }
      if (++b === blocks) b = 0;
    }
    return -1;
  }

  /** Claims the lowest clear bit at or after the hint, then anywhere in the block. */
  private claimOne(b: number, header: number): number {
    const u8 = this.u8;
    const i32 = this.i32;
    const bitmap = b * BLOCK_BYTES + HEADER_BYTES;
    const end = usedBytes(i32[header + ByteCasBlockLayout.i32.count]!);
    const hint = i32[header + ByteCasBlockLayout.i32.hint]!;
    let scanned = 0;
    let i = hint;
    // Two passes, because the hint is racy: another thread may have freed a page below it.
    for (let pass = 0; pass < 2; pass++, i = 0) {
      while (i < end) {
        // A plain read: it only nominates a byte. The CAS checks that the byte is still what we saw.
        const v = u8[bitmap + i]!;
        scanned++;
        if (v === 0xff) {
          i++;
          continue;
        }
        const mask = ~v & (v + 1);
        const bit = 31 - Math.clz32(mask);
        if (this.update(bitmap + i, v, v | mask)) {
          // The bit is ours from the CAS on; the counter follows it, so it can lag but never lead.
          Atomics.sub(i32, header + ByteCasBlockLayout.i32.free, 1);
          const nextHint = (v | mask) === 0xff ? i + 1 : i;
          if (nextHint !== hint) i32[header + ByteCasBlockLayout.i32.hint] = nextHint;
          this.counters.bytesScanned += scanned;
          return i32[header + ByteCasBlockLayout.i32.base]! + (i << 3) + bit;
        }
        // Another thread changed this byte between our read and our CAS: the seed moves on rather than
        // retrying, trading a possibly missed bit for less fighting over one hot byte.
        this.counters.casFailures++;
        i = this.nextByte((i << 3) + bit);
      }
    }
    this.counters.bytesScanned += scanned;
    return -1;
  }

  /** Claims an aligned run of 2 or 4 pages inside one byte. */
  private claimInByte(b: number, header: number, count: number): number {
    const u8 = this.u8;
    const bitmap = b * BLOCK_BYTES + HEADER_BYTES;
    const end = usedBytes(this.i32[header + ByteCasBlockLayout.i32.count]!);
    const runMask = (1 << count) - 1;
    let scanned = 0;
    for (let i = 0; i < end; ) {
      const v = u8[bitmap + i]!;
      scanned++;
      let claimed = -1;
      let lost = false;
      for (let bit = 0; bit < 8; bit += count) {
        const mask = runMask << bit;
        if ((v & mask) !== 0) continue;
        if (this.update(bitmap + i, v, v | mask)) claimed = bit;
        else lost = true;
        break;
      }
      if (claimed >= 0) {
        Atomics.sub(this.i32, header + ByteCasBlockLayout.i32.free, count);
        this.counters.bytesScanned += scanned;
        return this.i32[header + ByteCasBlockLayout.i32.base]! + (i << 3) + claimed;
      }
      if (lost) {
        this.counters.casFailures++;
        i = this.nextByte(i << 3);
      } else i++;
    }
    this.counters.bytesScanned += scanned;
    return -1;
  }

  /** Claims `n` whole bytes (8n pages) aligned to `n`, each by CAS from 0 to 0xFF, all or nothing. */
  private claimBytes(b: number, header: number, n: number): number {
    const u8 = this.u8;
    const bitmap = b * BLOCK_BYTES + HEADER_BYTES;
    const end = usedBytes(this.i32[header + ByteCasBlockLayout.i32.count]!) - n;
    let scanned = 0;
    for (let i = 0; i <= end; i += n) {
      let j = 0;
      while (j < n && u8[bitmap + i + j] === 0) j++;
      scanned += Math.min(j + 1, n);
      if (j < n) continue;
      if (this.takeBytes(bitmap + i, n) || this.partialClaimSucceeds()) {
        Atomics.sub(this.i32, header + ByteCasBlockLayout.i32.free, n * 8);
        this.counters.bytesScanned += scanned;
        return this.i32[header + ByteCasBlockLayout.i32.base]! + (i << 3);
      }
      this.counters.casFailures++;
    }
    this.counters.bytesScanned += scanned;
    return -1;
  }

  /**
   * CASes bytes `from .. from + n - 1` from 0 to 0xFF. On the first byte lost to another thread it puts
   * back the bytes it took (plain stores would do, they are ours, but Atomics.store keeps every write to
   * the bitmap visible in order) and reports false: a run is never half-claimed.
   */
  private takeBytes(from: number, n: number): boolean {
    for (let j = 0; j < n; j++) {
      if (!this.update(from + j, 0, 0xff)) {
        while (--j >= 0) Atomics.store(this.u8, from + j, 0);
        return false;
      }
    }
    return true;
  }

  free(first: number, count: number): void {
    const pages = this.pages;
    if (count !== 1 || first >>> 0 !== first || first >= pages) this.checkFree(first, count);
    const b = (first / PAGES_PER_BLOCK) | 0;
    const header = b * SLOTS_PER_BLOCK;
    if (this.i32[header + ByteCasBlockLayout.i32.state] === BlockState.offline) {
      throw new RangeError(`${this.name}: free(${first}, ${count}): page ${first} is in an offline block`);
    }
    const local = first - b * PAGES_PER_BLOCK;
    const index = b * BLOCK_BYTES + HEADER_BYTES + (local >> 3);
    if (count < 8) this.clearInByte(index, ((1 << count) - 1) << (local & 7), first, count);
    else this.clearBytes(index, count >> 3, first, count);
    // After the bits: the counter may read low for a moment (a search skips the block), never high.
    Atomics.add(this.i32, header + ByteCasBlockLayout.i32.free, count);
    if (local >> 3 < this.i32[header + ByteCasBlockLayout.i32.hint]!) this.i32[header + ByteCasBlockLayout.i32.hint] = local >> 3;
  }

  private checkFree(first: number, count: number): void {
    checkRange(this.name, 'free', first, count, this.pages);
    checkRunLength(this.name, count, MAX_RUN, 'power-of-two');
    if (first % count !== 0) {
      throw new RangeError(
        `${this.name}: free(${first}, ${count}): not a run alloc(${count}) gives out; runs are aligned to their length`,
      );
    }
  }

  /** Clears `mask` in byte `index`, retrying on the same byte: other bits of it may change under us. */
  private clearInByte(index: number, mask: number, first: number, count: number): void {
    for (;;) {
      const v = this.u8[index]!;
      if ((v & mask) !== mask) this.alreadyFree(first, count, v, mask, first & ~7);
      if (this.update(index, v, v & ~mask)) return;
      this.counters.casFailures++;
    }
  }

  private clearBytes(index: number, n: number, first: number, count: number): void {
    for (let j = 0; j < n; j++) {
      if (this.u8[index + j] !== 0xff) this.alreadyFree(first, count, this.u8[index + j]!, 0xff, first + j * 8);
    }
    for (let j = 0; j < n; j++) {
      // A run's bytes are wholly ours, so only a concurrent free of the same run can make this fail.
      if (!this.update(index + j, 0xff, 0)) this.alreadyFree(first, count, this.u8[index + j]!, 0xff, first + j * 8);
    }
  }

  /** Reports the first page of the run whose bit (in `mask`, where bit 0 is page `bit0Page`) is clear. */
  private alreadyFree(first: number, count: number, v: number, mask: number, bit0Page: number): never {
    const clear = mask & ~v;
    const page = bit0Page + (clear === 0 ? 0 : 31 - Math.clz32(clear & -clear));
    throw new RangeError(`${this.name}: free(${first}, ${count}): page ${page} is already free`);
  }

  isAllocated(page: number): boolean {
    if (page >>> 0 !== page || page >= this.pages) checkPage(this.name, page, this.pages);
    const b = (page / PAGES_PER_BLOCK) | 0;
    if (this.i32[b * SLOTS_PER_BLOCK + ByteCasBlockLayout.i32.state] === BlockState.offline) return false;
    const local = page - b * PAGES_PER_BLOCK;
    return (Atomics.load(this.u8, b * BLOCK_BYTES + HEADER_BYTES + (local >> 3)) & (1 << (local & 7))) !== 0;
  }

  /** The blocks a grow/shrink range covers; it must be whole blocks. */
  private blocksOf(op: string, first: number, count: number): [number, number] {
    checkRange(this.name, op, first, count, this.pages);
    const end = first + count;
    if (first % PAGES_PER_BLOCK !== 0 || (end % PAGES_PER_BLOCK !== 0 && end !== this.pages)) {
      throw new RangeError(
        `${this.name}: ${op}(${first}, ${count}): memory comes and goes in whole blocks of ${PAGES_PER_BLOCK} pages`,
      );
    }
    return [first / PAGES_PER_BLOCK, Math.ceil(end / PAGES_PER_BLOCK)];
  }

  removeMemory(first: number, count: number): boolean {
    const [from, to] = this.blocksOf('removeMemory', first, count);
    for (let b = from; b < to; b++) {
      if (!this.takeBlockOffline(b)) {
        // All or nothing across blocks too: give back the ones already taken.
        for (let c = from; c < b; c++) this.bringBlockOnline(c);
        return false;
      }
    }
    return true;
  }

  addMemory(first: number, count: number): void {
    const [from, to] = this.blocksOf('addMemory', first, count);
    for (let b = from; b < to; b++) {
      if (this.i32[b * SLOTS_PER_BLOCK + ByteCasBlockLayout.i32.state] !== BlockState.offline) {
        throw new RangeError(`${this.name}: addMemory(${first}, ${count}): block ${b} is not offline`);
      }
    }
    for (let b = from; b < to; b++) this.bringBlockOnline(b);
  }

  /**
   * Takes block `b` offline by claiming every one of its pages, byte by byte, the same CAS an alloc does:
   * a thread racing us either got its page first (and we give up) or finds the byte full. No lock needed.
   */
  private takeBlockOffline(b: number): boolean {
    const header = b * SLOTS_PER_BLOCK;
    const state = Atomics.compareExchange(this.i32, header + ByteCasBlockLayout.i32.state, BlockState.online, BlockState.changing);
    if (state === BlockState.offline) throw new RangeError(`${this.name}: removeMemory: block ${b} is already offline`);
    if (state !== BlockState.online) return false; // another thread is changing it
    const count = this.i32[header + ByteCasBlockLayout.i32.count]!;
    const bitmap = b * BLOCK_BYTES + HEADER_BYTES;
    const end = usedBytes(count);
    for (let i = 0; i < end; i++) {
      if (!this.update(bitmap + i, freeByteValue(count, i), 0xff)) {
        while (--i >= 0) Atomics.store(this.u8, bitmap + i, freeByteValue(count, i));
        Atomics.store(this.i32, header + ByteCasBlockLayout.i32.state, BlockState.online);
        return false;
      }
    }
    Atomics.sub(this.i32, header + ByteCasBlockLayout.i32.free, count);
    Atomics.store(this.i32, header + ByteCasBlockLayout.i32.state, BlockState.offline);
    return true;
  }

  /**
   * Publishes block `b`: online first, bytes cleared second. In between, the bytes are still full, so no
   * search can take a page whose free would then find the block offline.
   */
  private bringBlockOnline(b: number): void {
    const header = b * SLOTS_PER_BLOCK;
    const count = this.i32[header + ByteCasBlockLayout.i32.count]!;
    const bitmap = b * BLOCK_BYTES + HEADER_BYTES;
    Atomics.store(this.i32, header + ByteCasBlockLayout.i32.state, BlockState.online);
    for (let i = 0; i < usedBytes(count); i++) Atomics.store(this.u8, bitmap + i, freeByteValue(count, i));
    this.i32[header + ByteCasBlockLayout.i32.hint] = 0;
    Atomics.add(this.i32, header + ByteCasBlockLayout.i32.free, count);
  }
}

/** Formats a region: every block online and free, bits past the last page set. */
export function initByteCas(memory: SharedRegion, pages: number): void {
  const blocks = blockCount(pages);
  const u8 = new Uint8Array(memory.buffer, memory.byteOffset, blocks * BLOCK_BYTES);
  const i32 = new Int32Array(memory.buffer, memory.byteOffset, (blocks * BLOCK_BYTES) >> 2);
  u8.fill(0xff);
  for (let b = 0; b < blocks; b++) {
    const header = b * SLOTS_PER_BLOCK;
    const count = Math.min(PAGES_PER_BLOCK, pages - b * PAGES_PER_BLOCK);
    i32.fill(0, header, header + HEADER_BYTES / 4);
    i32[header + ByteCasBlockLayout.i32.free] = count;
    i32[header + ByteCasBlockLayout.i32.base] = b * PAGES_PER_BLOCK;
    i32[header + ByteCasBlockLayout.i32.count] = count;
    i32[header + ByteCasBlockLayout.i32.hint] = 0;
    i32[header + ByteCasBlockLayout.i32.state] = BlockState.online;
    const bitmap = b * BLOCK_BYTES + HEADER_BYTES;
    for (let i = 0; i < usedBytes(count); i++) u8[bitmap + i] = freeByteValue(count, i);
  }
}

/** The allocator's own invariants, checked at quiescence. */
export function auditByteCas(memory: SharedRegion, pages: number): string[] {
  const problems: string[] = [];
  const blocks = blockCount(pages);
  const u8 = new Uint8Array(memory.buffer, memory.byteOffset, blocks * BLOCK_BYTES);
  const i32 = new Int32Array(memory.buffer, memory.byteOffset, (blocks * BLOCK_BYTES) >> 2);
  for (let b = 0; b < blocks; b++) {
    const header = b * SLOTS_PER_BLOCK;
    const count = Math.min(PAGES_PER_BLOCK, pages - b * PAGES_PER_BLOCK);
    const state = i32[header + ByteCasBlockLayout.i32.state];
    if (i32[header + ByteCasBlockLayout.i32.base] !== b * PAGES_PER_BLOCK || i32[header + ByteCasBlockLayout.i32.count] !== count) {
      problems.push(`block ${b}: header says base ${i32[header + ByteCasBlockLayout.i32.base]}, count ${i32[header + ByteCasBlockLayout.i32.count]}; expected ${b * PAGES_PER_BLOCK}, ${count}`);
    }
    if (state !== BlockState.online && state !== BlockState.offline) {
      problems.push(`block ${b}: state ${state} at quiescence (neither online nor offline)`);
    }
    const bitmap = b * BLOCK_BYTES + HEADER_BYTES;
    let clear = 0;
    for (let i = 0; i < BITMAP_BYTES; i++) {
      const v = u8[bitmap + i]!;
      const reserved = i < usedBytes(count) ? freeByteValue(count, i) : 0xff;
      if ((v & reserved) !== reserved) {
        problems.push(`block ${b}: byte ${i} is 0x${v.toString(16)}: bits past the last page must stay set`);
      }
      clear += 8 - popcount8(v);
    }
    const free = i32[header + ByteCasBlockLayout.i32.free];
    if (state === BlockState.offline && clear !== 0) {
      problems.push(`block ${b}: offline but ${clear} pages are clear in its bitmap`);
    }
    if (free !== clear) problems.push(`block ${b}: free counter is ${free} but ${clear} pages are clear in its bitmap`);
  }
  return problems;
}

function popcount8(v: number): number {
  v = v - ((v >> 1) & 0x55);
  v = (v & 0x33) + ((v >> 2) & 0x33);
  return (v + (v >> 4)) & 0x0f;
}

const headerFieldNames: Record<number, string> = {
  [ByteCasBlockLayout.i32.free]: 'free counter',
  [ByteCasBlockLayout.i32.base]: 'page base',
  [ByteCasBlockLayout.i32.count]: 'page count',
  [ByteCasBlockLayout.i32.hint]: 'search hint',
  [ByteCasBlockLayout.i32.state]: 'state',
};

/** A location in byte-cas words: a header field, or the bitmap byte (or word) and the pages its bits stand for. */
export function describeByteCas(location: MemoryLocation, pages: number): string | undefined {
  const { byteOffset } = location;
  const block = Math.floor(byteOffset / BLOCK_BYTES);
  if (byteOffset < 0 || block >= blockCount(pages)) return undefined;
  const inBlock = byteOffset - block * BLOCK_BYTES;
  if (inBlock < HEADER_BYTES) return `block ${block} ${headerFieldNames[inBlock >> 2] ?? `header byte ${inBlock}`}`;
  const { bytes } = location;
  const firstByte = inBlock - HEADER_BYTES;
  const count = Math.min(PAGES_PER_BLOCK, pages - block * PAGES_PER_BLOCK);
  const first = firstByte * 8;
  const last = Math.min(count, (firstByte + bytes) * 8) - 1;
  const base = block * PAGES_PER_BLOCK;
  if (first > last) return `block ${block} bitmap, past the last page`;
  return `block ${block} bitmap, pages ${base + first}..${base + last}`;
}

type ViewClass = new (memory: SharedRegion, pages: number, thread: number, name: string) => ByteCasView;

/** Builds a byte-cas definition around a view class: the real one, or a variant with one defect. */
export function byteCasDefinition(name: string, View: ViewClass, extra: { description: string; defect?: string }): AllocatorDefinition {
  return {
    name,
    locking: 'lock-free',
    maxRun: MAX_RUN,
    runSizes: 'power-of-two',
    growUnit: PAGES_PER_BLOCK,
    sharedBytes: (pages) => blockCount(pages) * BLOCK_BYTES,
    init: initByteCas,
    attach: (memory, pages, thread) => new View(memory, pages, thread, name),
    audit: auditByteCas,
    describe: describeByteCas,
    ...extra,
  };
}

export const byteCas = byteCasDefinition('byte-cas', ByteCasView, {
  description:
    'Lock-free: one bit per page in 4 KiB blocks of 31,744 pages, claimed by a CAS on the byte; a failed CAS moves on to the next byte (HN comment by zaarn, 2020).',
});
