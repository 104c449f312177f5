/**
 * colored-region: the 2-bit "painted regions" bitmap of `shared/seeds/colored-region-bitmap.txt`.
 *
 * Two bits per page, page 0 in bits 0-1 of byte 0. `00` is a free page; an allocated region is painted
 * with one of three colors chosen to differ from both of its neighbours, so the bitmap alone tells where
 * one region ends and the next begins, and `free(first)` can find the run's end by its color.
 * 8 GiB of 4 KiB pages costs 512 KiB of bitmap: 0.0061 % of the memory (the journal says 0.061 %).
 *
 * It runs under the harness's global lock (`locking: 'global-lock'`), so it reads and writes its bitmap
 * with plain typed-array accesses: the lock's atomic acquire and release order them between threads.
 * Controlled mode makes those accesses scheduling points with its source transform (`--points all`),
 * so the explorer can interleave two threads that run it without the lock, with this code unchanged.
 *
 * Invariants at quiescence, checked by {@link auditColoredRegion}:
 * - the free counter equals the number of `00` pages;
 * - the bits of the slots past the last page are `00` and stay so (no search reaches them).
 * Two neighbouring regions of one color cannot be seen in the bitmap (they read as one region): that
 * damage shows as a `free` that fails or frees a neighbour, and the harness's ledger catches it.
 */
import type { SharedLayout } from '../harness/shared-layout.ts';
import type { AllocatorDefinition, MemoryLocation, PageAllocator, SharedRegion } from './contract.ts';
import { checkPage, checkRange, checkRunLength } from './guard.ts';

/** The header before the bitmap; read and written under the global lock, so plainly. */
export const ColoredRegionHeaderLayout = {
  bytes: 8,
  i32: {
    /** Page where the next first-fit search starts: the last alloc's end (free lowers it), so a search need not rescan the pages it just filled. */
    hint: 0,
    /** invariant (quiescent): number of pages whose color is 00; the audit checks it against the bitmap. */
    free: 1,
  },
} as const satisfies SharedLayout;
const HEADER_BYTES = ColoredRegionHeaderLayout.bytes;

export const FREE = 0;
/** The three colors: 01, 10, 11. */
export type Color = 1 | 2 | 3;

/** The largest run one alloc may ask for; any length up to it is accepted. */
export const MAX_RUN = 4096;

export class ColoredRegionView implements PageAllocator {
  readonly counters = { casFailures: 0, bytesScanned: 0 };
  protected readonly bits: Uint8Array;
  protected readonly header: Int32Array;

  constructor(
    memory: SharedRegion,
    private readonly pages: number,
    protected readonly name: string,
  ) {
    this.header = new Int32Array(memory.buffer, memory.byteOffset, HEADER_BYTES >> 2);
    this.bits = new Uint8Array(memory.buffer, memory.byteOffset + HEADER_BYTES, bitmapBytes(pages));
  }
  /** The color that follows `c` in the cycle 01 -> 10 -> 11 -> 01. */
  protected nextColor(c: Color): Color {
    return c === 3 ? 1 : ((c + 1) as Color);
  }

  /**
   * The color for a new region between a left and a right neighbour (0 where free or absent): the one
   * after the left's, skipping the right's. With three colors that never equals either neighbour,
   * because next(next(left)) is never left.
   */
  protected colorFor(left: number, right: number): Color {
    let c: Color = left === FREE ? 1 : this.nextColor(left as Color);
    if (c === right) c = this.nextColor(c);
    return c;
  }

  colorAt(page: number): number {
    return (this.bits[page >> 2]! >> ((page & 3) << 1)) & 3;
  }

  private paint(first: number, count: number, color: number): void {
    for (let p = first, end = first + count; p < end; p++) {
      const shift = (p & 3) << 1;
      const i = p >> 2;
      this.bits[i] = (this.bits[i]! & ~(3 << shift)) | (color << shift);
    }
  }

  alloc(count: number): number {
    if (count !== 1) checkRunLength(this.name, count, Math.min(MAX_RUN, this.pages));
    const hint = this.header[ColoredRegionHeaderLayout.i32.hint]!;
    let first = this.search(hint, this.pages, count);
    // First fit wraps once: the hint only says where the last region ended.
    if (first < 0) first = this.search(0, Math.min(this.pages, hint + count - 1), count);
    if (first < 0) return -1;
    const left = first > 0 ? this.colorAt(first - 1) : FREE;
    const right = first + count < this.pages ? this.colorAt(first + count) : FREE;
    this.paint(first, count, this.colorFor(left, right));
    this.header[ColoredRegionHeaderLayout.i32.free] = this.header[ColoredRegionHeaderLayout.i32.free]! - count;
    this.header[ColoredRegionHeaderLayout.i32.hint] = first + count === this.pages ? 0 : first + count;
    return first;
  }

  /** First fit: the first run of `count` free pages that starts at or after `from` and ends before `to`. */
  private search(from: number, to: number, count: number): number {
    let start = from;
    let p = from;
    let scanned = 0;
    while (p < to) {
      if ((p & 3) === 0 && p + 4 <= to) {
        const byte = this.bits[p >> 2]!;
        scanned++;
        // Four pages at a time where the byte says all four are free or all four are taken.
        if (byte === 0) {
          p += 4;
          if (p - start >= count) break;
          continue;
        }
        if (((byte | (byte >> 1)) & 0x55) === 0x55) {
          p += 4;
          start = p;
          continue;
        }
      }
      if (this.colorAt(p) !== FREE) start = p + 1;
      p++;
      if (p - start >= count) break;
    }
    this.counters.bytesScanned += scanned;
    return p - start >= count ? start : -1;
  }

  free(first: number, count: number): void {
    checkRange(this.name, 'free', first, count, this.pages);
    const color = this.colorAt(first);
    if (color === FREE) throw new RangeError(`${this.name}: free(${first}, ${count}): page ${first} is already free`);
    if (first > 0 && this.colorAt(first - 1) === color) {
      throw new RangeError(`${this.name}: free(${first}, ${count}): page ${first} is not the first page of its region`);
    }
    // The region is the run of its color; look one past `count` to tell a longer run from this one.
    let length = 1;
    while (length <= count && first + length < this.pages && this.colorAt(first + length) === color) length++;
    if (length !== count) {
      const says = length > count ? `more than ${count}` : String(length);
      throw new RangeError(`${this.name}: free(${first}, ${count}): the region at page ${first} has ${says} pages`);
    }
    this.paint(first, count, FREE);
    this.header[ColoredRegionHeaderLayout.i32.free] = this.header[ColoredRegionHeaderLayout.i32.free]! + count;
    if (first < this.header[ColoredRegionHeaderLayout.i32.hint]!) this.header[ColoredRegionHeaderLayout.i32.hint] = first;
  }

  isAllocated(page: number): boolean {
    if (page >>> 0 !== page || page >= this.pages) checkPage(this.name, page, this.pages);
    return this.colorAt(page) !== FREE;
  }
}

function bitmapBytes(pages: number): number {
  // Rounded up to 8 so that whatever follows in the shared buffer stays aligned for any typed array.
  return (Math.ceil(pages / 4) + 7) & ~7;
}

export function initColoredRegion(memory: SharedRegion, pages: number): void {
  new Uint8Array(memory.buffer, memory.byteOffset, HEADER_BYTES + bitmapBytes(pages)).fill(0);
  const header = new Int32Array(memory.buffer, memory.byteOffset, HEADER_BYTES >> 2);
  header[ColoredRegionHeaderLayout.i32.hint] = 0;
  header[ColoredRegionHeaderLayout.i32.free] = pages;
}

export function auditColoredRegion(memory: SharedRegion, pages: number): string[] {
  const problems: string[] = [];
  const header = new Int32Array(memory.buffer, memory.byteOffset, HEADER_BYTES >> 2);
  const view = new ColoredRegionView(memory, pages, 'audit');
  let free = 0;
  for (let p = 0; p < pages; p++) if (view.colorAt(p) === FREE) free++;
  if (header[ColoredRegionHeaderLayout.i32.free] !== free) problems.push(`free counter is ${header[ColoredRegionHeaderLayout.i32.free]} but ${free} pages are 00`);
  for (let p = pages; p < bitmapBytes(pages) * 4; p++) {
    if (view.colorAt(p) !== FREE) problems.push(`slot ${p}, past the last page, is painted ${view.colorAt(p)}`);
  }
  const hint = header[ColoredRegionHeaderLayout.i32.hint]!;
  if (hint < 0 || hint >= pages) problems.push(`search hint ${hint} is outside 0..${pages - 1}`);
  return problems;
}

type ViewClass = new (memory: SharedRegion, pages: number, name: string) => ColoredRegionView;

/** A location in colored-region words: a header field, or the bitmap byte and the four pages it colors. */
export function describeColoredRegion(location: MemoryLocation, pages: number): string | undefined {
  const { byteOffset, bytes } = location;
  if (byteOffset < 0 || byteOffset >= HEADER_BYTES + bitmapBytes(pages)) return undefined;
  if (byteOffset < HEADER_BYTES) return ['search hint', 'free counter'][byteOffset >> 2];
  const first = (byteOffset - HEADER_BYTES) * 4;
  const last = Math.min(pages, first + bytes * 4) - 1;
  return first > last ? 'bitmap, past the last page' : `colors of pages ${first}..${last}`;
}

export function coloredRegionDefinition(
  name: string,
  View: ViewClass,
  extra: { description: string; defect?: string },
): AllocatorDefinition {
  return {
    name,
    locking: 'global-lock',
    maxRun: MAX_RUN,
    sharedBytes: (pages) => HEADER_BYTES + bitmapBytes(pages),
    init: initColoredRegion,
    attach: (memory, pages) => new View(memory, pages, name),
    audit: auditColoredRegion,
    describe: describeColoredRegion,
    ...extra,
  };
}

export const coloredRegion = coloredRegionDefinition('colored-region', ColoredRegionView, {
  description:
    'Global lock: two bits per page, each region painted one of three colors unlike its neighbours, first fit (OS-dev journal, 2025).',
});
