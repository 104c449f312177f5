/**
 * The allocator contract: the one shape every allocator pagerace tests has, built-in or a user's own.
 *
 * An allocator keeps all of its state inside a {@link SharedRegion} of one `SharedArrayBuffer`. The
 * definition object is plain code: it is loaded again in every worker thread, and `attach` builds a
 * thread-local view over the same shared bytes. Nothing an allocator needs may live outside the region,
 * or the threads would not be racing on the same allocator.
 */

/** A window of a `SharedArrayBuffer` that belongs to one allocator. */
export interface SharedRegion {
  /** The buffer every thread shares. */
  buffer: SharedArrayBuffer;
  /** Where the allocator's bytes start; always a multiple of 8, so any typed array can view them. */
  byteOffset: number;
  /** How many bytes the allocator owns: at least `sharedBytes(pages)`. */
  byteLength: number;
}

/**
 * Thread-local tallies an allocator may keep for the contention charts. Plain numbers, bumped by the
 * thread that owns the view and read by the harness after the run; never shared between threads.
 */
export interface AllocatorCounters {
  /** Compare-and-swaps that lost to another thread. */
  casFailures: number;
  /** Bitmap bytes (or words) read while searching. */
  bytesScanned: number;
}

/** One thread's view of an allocator. Pages are numbered `0 .. pages - 1`. */
export interface PageAllocator {
  /** Optional tallies for the contention report. */
  readonly counters?: AllocatorCounters;
  /**
   * Claims `count` contiguous free pages.
   * @returns the first page of the run, or `-1` if no such run is free.
   * @throws RangeError if `count` is not an integer in `1 .. maxRun` (or not a run size the allocator supports).
   */
  alloc(count: number): number;
  /**
   * Returns the run `first .. first + count - 1` that an earlier `alloc(count)` gave out.
   * @throws RangeError if a page is out of range, a page is already free, or `count` is not the run's length.
   */
  free(first: number, count: number): void;
  /** Whether `page` is currently allocated. Exact only at quiescence, like any read of shared state. */
  isAllocated(page: number): boolean;
  /**
   * Optional, for allocators whose memory can grow and shrink while threads run (byte-cas does).
   * Brings the offline range `first .. first + count - 1` online, free.
   * @throws RangeError if the range is not a whole number of the allocator's units or is already online.
   */
  addMemory?(first: number, count: number): void;
  /**
   * Optional: takes a wholly free range offline so that no thread can allocate from it.
   * @returns `false`, changing nothing, if any page of the range is allocated.
   */
  removeMemory?(first: number, count: number): boolean;
}

/**
 * A place in the allocator's region, as a scheduling point touched it: what a trace shows when the
 * allocator cannot say more.
 */
export interface MemoryLocation {
  /** The typed array the access went through: `'u8'`, `'i32'`, ... (`'u8c'` is Uint8ClampedArray). */
  array: 'i8' | 'u8' | 'i16' | 'u16' | 'i32' | 'u32' | 'i64' | 'u64' | 'f32' | 'f64' | 'u8c';
  /** Element index from the start of the region, in elements of that array type. */
  index: number;
  /** Byte offset of the element from the start of the region. */
  byteOffset: number;
  /** Bytes the element spans (1 for u8, 4 for i32, ...). */
  bytes: number;
}

/** How the harness must call an allocator. */
export type Locking = 'lock-free' | 'global-lock';

/** Which run lengths `alloc` accepts. */
export type RunSizes = 'any' | 'power-of-two';

/** What a module default-exports to be tested by pagerace. */
export interface AllocatorDefinition {
  /** A short name, unique in the registry, e.g. `byte-cas` or `byte-cas/racy-rmw`. */
  name: string;
  /**
   * `'lock-free'`: threads call the allocator concurrently. `'global-lock'`: the harness serializes every
   * call (alloc, free, isAllocated) with its global lock, as a kernel would with a spinlock.
   */
  locking: Locking;
  /** The largest `count` one `alloc` may ask for. */
  maxRun: number;
  /** Which counts up to `maxRun` are valid; `'any'` when omitted. */
  runSizes?: RunSizes;
  /** Units in which `addMemory`/`removeMemory` work, in pages, when the allocator supports them. */
  growUnit?: number;
  /** Bytes of shared state the allocator needs to manage `pages` pages. */
  sharedBytes(pages: number): number;
  /** Formats the region for `pages` pages, all free. Called once, before any thread starts. */
  init(memory: SharedRegion, pages: number): void;
  /** Builds `thread`'s view over a region that `init` formatted. Called once in every thread. */
  attach(memory: SharedRegion, pages: number, thread: number): PageAllocator;
  /**
   * Checks the allocator's own invariants at quiescence (no thread inside a call).
   * @returns one line per problem found; `[]` when the state is sound.
   */
  audit?(memory: SharedRegion, pages: number): string[];
  /**
   * Optional: what a location of the region is, in the allocator's own words (`block 0 free counter`,
   * `block 0 bitmap, pages 576..583`), for traces. Pure: it reads nothing but its arguments, and it runs
   * in a worker, never on the harness's main thread. `undefined` when there is nothing to say.
   */
  describe?(location: MemoryLocation, pages: number): string | undefined;
  /** One line for `--help` and reports: where the design comes from and what it is. */
  description?: string;
  /** For a known-bug variant: the defect it carries, in one sentence. */
  defect?: string;
}

/**
 * Identity helper that gives a user's module the contract's types:
 * `export default defineAllocator({ name: 'mine', ... })`.
 */
export function defineAllocator<const T extends AllocatorDefinition>(definition: T): T {
  return definition;
}
