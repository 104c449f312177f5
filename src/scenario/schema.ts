/**
 * What a scenario file may say, and the normalized {@link Scenario} the rest of pagerace runs.
 *
 * Every object is strict, so a misspelt key is an error instead of a silently ignored setting: a scenario
 * that meant `crossThreadFrees: 0.5` but wrote `crossThreadFree` would otherwise pass while testing
 * something else (valibot reports the first unknown key of each object). Messages are written to follow
 * `<file>: <dotted path>: ` and say what was expected and what was found.
 */
import * as v from 'valibot';
import { UsageError } from '../io/usage-error.ts';
import { exploreSizeAt } from './explore-size.ts';
import { parseDuration, parseMemory } from './units.ts';
import { violationKinds, type ViolationKind } from './violation-kind.ts';

/** The most threads one run may use. */
export const MAX_THREADS = 64;

/** The least memory a scenario may give an allocator, in pages. */
export const MIN_PAGES = 8;

/**
 * The most memory a scenario may give an allocator, in pages: 256 GiB. The ownership ledger holds an
 * Int32 per page in the shared buffer (1 GiB of ledger for 256 GiB of pages), and the buffer is
 * allocated whole before a run starts; past this a scenario is a way to exhaust the machine, not a test.
 */
export const MAX_PAGES = 2 ** 26;

/**
 * The most churn operations per thread: a thread counts its operations (every phase's) in an Int32 of
 * its block in the shared buffer, and fill and drain add up to twice `maxHeldPages` on top.
 */
export const MAX_OPS = 1_000_000_000;

/** The longest churn phase or watchdog: a day. */
export const MAX_DURATION_MS = 24 * 3_600_000;

/** The phases of a run, in the order a scenario usually lists them. */
export const phases = ['fill', 'churn', 'drain'] as const;

/**
 * `fill`: every thread allocates up to its `maxHeldPages`. `churn`: threads mix allocs and frees.
 * `drain`: every thread frees what it holds, after which every page must be free again.
 */
export type Phase = (typeof phases)[number];

/** The run sizes a thread asks `alloc` for, and how often. */
export interface Runs {
  /** Run lengths in pages, each an integer >= 1. */
  sizes: number[];
  /** Relative weight of each size, same length as `sizes`, each > 0; not necessarily summing to 1. */
  weights: number[];
}

/** What each thread does, normalized. */
export interface Workload {
  /** Probability that a churn step is an alloc, when the thread may both alloc and free. */
  allocShare: number;
  /** Which run sizes allocs ask for. */
  runs: Runs;
  /** Pages one thread may hold at once; at least the largest run size. */
  maxHeldPages: number;
  /** Share of frees handed to another thread through a queue instead of done by the allocating thread. */
  crossThreadFrees: number;
  /** The phases to run, in order. */
  phases: Phase[];
}

/** Memory that goes offline and comes back while threads run; only for allocators that support it. */
export interface MemoryChanges {
  /** Pages taken offline before threads start and added back while they run; fewer than `pages`. */
  offlineAtStart: number;
  /** Whether a wholly free range is also taken offline during the run. */
  removeWhileRunning: boolean;
}

/** A run passes when it shows no violation (`'pass'`), or must show every kind listed. */
export type Expectation = 'pass' | ViolationKind[];

/** Every field of a normalized scenario except how long the churn phase lasts ({@link ChurnLength}). */
export interface ScenarioFields {
  /** Names the scenario in reports; the file's base name unless the file sets one. */
  name: string;
  /** What the scenario checks, for people reading reports. */
  description: string;
  /** Allocator names or module paths to run the scenario against, in order. */
  allocators: string[];
  /** Memory each allocator manages, in pages of `PAGE_SIZE` bytes; at least {@link MIN_PAGES}. */
  pages: number;
  /** Thread counts to run, ascending and distinct, each from 1 to {@link MAX_THREADS}. */
  threads: number[];
  /** Seeds every thread's operation stream; a number in the file becomes its decimal string. */
  seed: string;
  /** What each thread does. */
  workload: Workload;
  /** Present only when the scenario changes memory while threads run. */
  memoryChanges?: MemoryChanges;
  /** `false` runs global-lock allocators without their lock: the negative control. */
  lock: boolean;
  /** A run with no progress for this long is reported as a hang. */
  watchdogMs: number;
  /** What the run must show: no violation (`pass`), or one of a list of kinds (check/grade.ts). */
  expect: Expectation;
  /** How `npm run explore` sizes this scenario for controlled scheduling. */
  explore: ExploreSettings;
}

/**
 * Controlled runs are small: every Atomics call is a step the coordinator schedules, so a few threads,
 * a few operations each and a little memory already make millions of interleavings. Without sizes in
 * the file, exploration grows the size from the one here (src/controlled/sizes.ts), and every size
 * keeps the scenario's pressure (src/scenario/explore-size.ts).
 */
export interface ExploreSettings {
  /** Threads in a controlled run; default 2, where growth starts. */
  threads: number;
  /** Churn operations per thread; default 8, where growth starts. */
  ops: number;
  /** Pages; default as tight as the scenario's pressure, and tight enough that threads meet. */
  pages: number;
  /** Pages one thread may hold; default the scenario's, capped at 16 (and at least the largest run). */
  maxHeldPages: number;
  /** What exploration must find; default the scenario's `expect`. */
  expect: Expectation;
  /**
   * The sizes the file gave itself (memory as `pages`). Any one fixes the size: explore runs at it and
   * does not grow; the others are derived for it as above.
   */
  given: Partial<Pick<ExploreSettings, 'threads' | 'ops' | 'pages' | 'maxHeldPages'>>;
}

/** How long the churn phase lasts: exactly one of a count of operations or a time. */
export type ChurnLength =
  | {
      /** Operations per thread in the churn phase. */
      ops: number;
      durationMs?: never;
    }
  | {
      /** Wall-clock length of the churn phase, in milliseconds. */
      durationMs: number;
      ops?: never;
    };

const defaultAllocators = ['byte-cas', 'colored-region', 'stack-bitmap'];
const defaultOps = 10_000;

// Only seen when the schema runs without a file behind it: `validateScenario` names scenarios after
// their file before parsing.
const unnamed = 'unnamed';

// Messages read as "expected X, got Y"; `received` is valibot's rendering of the offending value.
// A value is quoted short: a 10,000-character string where a thread count goes would make the
// one-line message 10,000 characters long.
function got(expected: string) {
  return (issue: v.BaseIssue<unknown>) => `expected ${expected}, got ${short(issue.received)}`;
}

function short(received: string): string {
  return received.length > 60 ? `${received.slice(0, 40)}... (${received.length} characters)` : received;
}

function integerIn(expected: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  const message = got(expected);
  return v.pipe(v.number(message), v.integer(message), v.minValue(min, message), v.maxValue(max, message));
}

function fraction() {
  const message = got('a number from 0 to 1');
  return v.pipe(v.number(message), v.minValue(0, message), v.maxValue(1, message));
}

// A scenario's text is printed to terminals and drawn into reports: a control character other than a
// line break or a tab (an ANSI escape, a carriage return, a NUL) or a bidi override would act on the
// terminal or break the SVG instead of reading as text.
const controlText = /[^\P{Cc}\n\t]|[\u202a-\u202e\u2066-\u2069]/u;

function text(expected: string) {
  return v.pipe(
    v.string(got(expected)),
    v.nonEmpty(`expected ${expected}, got ""`),
    v.check((value) => !controlText.test(value), `expected ${expected} without control characters`),
  );
}

function listOf<const TItem extends v.GenericSchema>(item: TItem, expected: string) {
  return v.pipe(v.array(item, got(expected)), v.nonEmpty(`expected ${expected}, got an empty list`));
}

function strict<const TEntries extends v.ObjectEntries>(entries: TEntries, expected: string) {
  const known = Object.keys(entries).join(', ');
  // One message callback serves the three issues a strict object raises: an unknown key (expects
  // `never`), a missing required key (carries the key's path), and an input that is not an object.
  return v.strictObject(entries, (issue) => {
    if (issue.expected === 'never') return `unknown key ${JSON.stringify(issue.input)} (known keys: ${known})`;
    if (issue.path) return 'required, but missing';
    return `expected ${expected}, got ${issue.received}`;
  });
}

// The unit parsers throw UsageError for the CLI; inside the schema the same message becomes an issue,
// so that it is reported with the field's path like every other problem.
function withUnits(parse: (value: number | string) => number) {
  return v.rawTransform<number | string, number>(({ dataset, addIssue, NEVER }) => {
    try {
      return parse(dataset.value);
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      addIssue({ message: error.message });
      return NEVER;
    }
  });
}

const memorySchema = v.pipe(
  v.union([v.number(), v.string()], got('a page count or a size such as "8GiB"')),
  withUnits(parseMemory),
  v.minValue(MIN_PAGES, got(`at least ${MIN_PAGES} pages`)),
  v.maxValue(MAX_PAGES, (issue) => `expected at most ${MAX_PAGES} pages (256GiB), got ${issue.input} pages`),
);

const durationSchema = v.pipe(
  v.union([v.number(), v.string()], got('a duration such as "10s" or a number of milliseconds')),
  withUnits(parseDuration),
  v.gtValue(0, got('a duration above 0 ms')),
  v.maxValue(MAX_DURATION_MS, (issue) => `expected at most 24h, got ${issue.input} ms`),
);

// A union would report a bad entry in a list as "expected a number or a list", hiding which entry is
// wrong; dispatching on the input's shape lets the branch the author meant report the exact path.
const threadCount = integerIn(`a thread count from 1 to ${MAX_THREADS}`, 1, MAX_THREADS);
const threadsSchema = v.pipe(
  v.lazy((input) => (Array.isArray(input) ? listOf(threadCount, 'a list of thread counts') : threadCount)),
  v.transform((threads) => [...new Set(Array.isArray(threads) ? threads : [threads])].sort((a, b) => a - b)),
);

const seedSchema = v.pipe(
  v.lazy((input) =>
    typeof input === 'number'
      ? v.pipe(v.number(), v.finite(got('a finite number')))
      : text('a non-empty string or a number'),
  ),
  v.transform(String),
);

const runSize = integerIn('a run size (an integer >= 1)', 1);
const weight = v.pipe(v.number(got('a weight > 0')), v.finite(got('a weight > 0')), v.gtValue(0, got('a weight > 0')));
const runsObject = v.pipe(
  strict(
    { sizes: listOf(runSize, 'a list of run sizes'), weights: v.optional(v.array(weight, got('a list of weights'))) },
    'a run size (an integer >= 1) or { sizes, weights }',
  ),
  v.forward(
    v.check(
      (runs) => runs.weights === undefined || runs.weights.length === runs.sizes.length,
      (issue) => `expected ${issue.input.sizes.length} weights, one per size, got ${issue.input.weights?.length}`,
    ),
    ['weights'],
  ),
);
const runsSchema = v.pipe(
  v.lazy((input) => (typeof input === 'number' ? runSize : runsObject)),
  v.transform(
    (runs): Runs =>
      typeof runs === 'number'
        ? { sizes: [runs], weights: [1] }
        : { sizes: runs.sizes, weights: runs.weights ?? runs.sizes.map(() => 1) },
  ),
);

const workloadSchema = v.pipe(
  strict(
    {
      /** Probability that a churn step is an alloc, when the thread may both alloc and free; default 0.5. */
      allocShare: v.optional(fraction(), 0.5),
      /** Pages per alloc: one size for every alloc, or `{ sizes, weights }` to draw from; default 1. */
      runs: v.optional(runsSchema, 1),
      /** Pages one thread may hold at once, at least the largest run size; default 64. */
      maxHeldPages: v.optional(integerIn('an integer >= 1', 1), 64),
      /** Share of frees handed to another thread through a queue; default 0. */
      crossThreadFrees: v.optional(fraction(), 0),
      /** Phases to run, in order; default `['fill', 'churn', 'drain']`. */
      phases: v.optional(
        listOf(v.picklist(phases, got(`a phase (${phases.join(', ')})`)), 'a list of phases'),
        () => [...phases],
      ),
    },
    'an object',
  ),
  // A thread that may hold fewer pages than one run could never allocate that run.
  v.forward(
    v.check(
      (workload) => workload.maxHeldPages >= Math.max(...workload.runs.sizes),
      (issue) =>
        `expected at least the largest run size (${Math.max(...issue.input.runs.sizes)}), got ${issue.input.maxHeldPages}`,
    ),
    ['maxHeldPages'],
  ),
);

const memoryChangesSchema = strict(
  {
    /** Pages taken offline before threads start, then added back while threads run. */
    offlineAtStart: integerIn('an integer >= 0', 0),
    /** Also take a wholly free range offline during the run; default false. */
    removeWhileRunning: v.optional(v.boolean(got('true or false')), false),
  },
  'an object',
);

const exploreSchema = strict(
  {
    /** Threads in a controlled run, from 1 to 8; default: grown from 2. Any size given fixes the size. */
    threads: v.optional(integerIn('an integer from 1 to 8', 1, 8)),
    /** Churn operations per thread; default: grown from 8. */
    ops: v.optional(integerIn('an integer >= 1', 1)),
    /** Memory for a controlled run; default as tight as the scenario's pressure (explore-size.ts). */
    memory: v.optional(memorySchema),
    /** Pages one thread may hold; default the scenario's, capped at 16. */
    maxHeldPages: v.optional(integerIn('an integer >= 1', 1)),
    /** What exploration must find; default the scenario's `expect`. */
    expect: v.optional(v.lazy((input) => (Array.isArray(input) ? kindList : v.literal('pass', got('"pass" or a list of violation kinds'))))),
  },
  'an object',
);

const kindList = v.pipe(
  listOf(v.picklist(violationKinds, got(`a violation kind (${violationKinds.join(', ')})`)), 'a list of violation kinds'),
  v.check(
    (kinds) => new Set(kinds).size === kinds.length,
    (issue) => `expected distinct violation kinds, got ${JSON.stringify(issue.input.find((kind, i) => issue.input.indexOf(kind) !== i))} twice`,
  ),
);
const expectSchema = v.lazy((input) =>
  Array.isArray(input) ? kindList : v.literal('pass', got('"pass" or a list of violation kinds')),
);

/**
 * The scenario schema: parses what a scenario file default-exports into a normalized {@link Scenario}.
 * Prefer `validateScenario` from `load.ts`, which names the scenario after its file and turns issues
 * into one-line usage errors.
 */
// abortPipeEarly: each field reports its first problem only (0.5 threads is not also "below 1"), and a
// cross-field check runs only once the fields it compares are each valid.
export const scenarioSchema = v.config(
  v.pipe(
    strict(
      {
        /** Names the scenario in reports; defaults to the file's base name without extension. */
        name: v.optional(text('a non-empty string')),
        /** What the scenario checks, in a sentence or two. */
        description: text('a non-empty string'),
        /** Allocator names or module paths; default `['byte-cas', 'colored-region', 'stack-bitmap']`. */
        allocators: v.optional(listOf(text('an allocator name or module path'), 'a list of allocators'), () => [
          ...defaultAllocators,
        ]),
        /** Memory per allocator: a page count, or a size such as `'512MiB'` or `'8GiB'` (4 KiB pages). */
        memory: memorySchema,
        /** A thread count, or several to sweep over, each from 1 to 64. */
        threads: threadsSchema,
        /** Operations per thread in the churn phase; give this or `duration`. Default 10000. */
        ops: v.optional(integerIn(`an integer from 1 to ${MAX_OPS}`, 1, MAX_OPS)),
        /** Length of the churn phase, such as `'10s'` or a number of milliseconds; give this or `ops`. */
        duration: v.optional(durationSchema),
        /** Seeds every thread's operation stream. */
        seed: seedSchema,
        /** What each thread does; every field has a default. */
        workload: v.optional(workloadSchema, () => ({})),
        /** Memory going offline and coming back while threads run. */
        memoryChanges: v.optional(memoryChangesSchema),
        /** `false` runs global-lock allocators without their lock (the negative control); default true. */
        lock: v.optional(v.boolean(got('true or false')), true),
        /** No progress for this long is a hang; default `'5s'`. */
        watchdog: v.optional(durationSchema, '5s'),
        /** `'pass'`, or the violation kinds a known-bug scenario must produce. */
        expect: expectSchema,
        /** How `npm run explore` sizes the scenario; every field has a default. */
        explore: v.optional(exploreSchema, () => ({})),
      },
      'a scenario object',
    ),
    v.forward(
      v.check(
        (scenario) => scenario.ops === undefined || scenario.duration === undefined,
        'give either ops or duration, not both',
      ),
      ['duration'],
    ),
    v.forward(
      v.check(
        (scenario) => scenario.memoryChanges === undefined || scenario.memoryChanges.offlineAtStart < scenario.memory,
        (issue) =>
          `expected fewer pages than the scenario's memory (${issue.input.memory}), got ${issue.input.memoryChanges?.offlineAtStart}`,
      ),
      ['memoryChanges', 'offlineAtStart'],
    ),
    v.transform(
      (scenario): ScenarioFields & ChurnLength => ({
        name: scenario.name ?? unnamed,
        description: scenario.description,
        allocators: scenario.allocators,
        pages: scenario.memory,
        threads: scenario.threads,
        ...(scenario.duration === undefined ? { ops: scenario.ops ?? defaultOps } : { durationMs: scenario.duration }),
        seed: scenario.seed,
        workload: scenario.workload,
        ...(scenario.memoryChanges && { memoryChanges: scenario.memoryChanges }),
        lock: scenario.lock,
        watchdogMs: scenario.watchdog,
        expect: scenario.expect,
        explore: {
          ...exploreSizeAt({ pages: scenario.memory, threads: scenario.threads, workload: scenario.workload }, scenario.explore.threads ?? 2, scenario.explore.ops ?? 8, {
            pages: scenario.explore.memory,
            maxHeldPages: scenario.explore.maxHeldPages,
          }),
          expect: (scenario.explore.expect as Expectation | undefined) ?? scenario.expect,
          given: Object.fromEntries(
            Object.entries({ threads: scenario.explore.threads, ops: scenario.explore.ops, pages: scenario.explore.memory, maxHeldPages: scenario.explore.maxHeldPages }).filter(([, size]) => size !== undefined),
          ),
        },
      }),
    ),
  ),
  { abortPipeEarly: true },
);

/** What a scenario file writes: the schema's input. */
export type ScenarioInput = v.InferInput<typeof scenarioSchema>;

/** A validated scenario with every default filled in: the schema's output. */
export type Scenario = v.InferOutput<typeof scenarioSchema>;
