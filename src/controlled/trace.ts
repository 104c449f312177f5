/**
 * The trace of a controlled run: every scheduling step, which thread took it, the Atomics call or plain
 * read or write it made (`read u8[200] saw 0x0f`, `write u8[200] 0x1f`) and what it saw. Rendered one
 * column per thread, each step under the operation it belongs to (`alloc(64)` ... `alloc(64) returns
 * 64`), each location with what the allocator says it is, the violating step marked, and the early
 * steps folded except those that touched the same memory as the last ones.
 */
import { Request, requestNames, waitResultNames } from './protocol.ts';
import { arrayTypes } from '../harness/array-types.ts';

export interface Step {
  thread: number;
  request: number;
  /** Index into `arrayTypes`. */
  array: number;
  /** Element index from the start of the allocator's buffer. */
  index: number;
  arg1: number;
  arg2: number;
  /** What the call returned; a wait's outcome as text. */
  observed?: number | string;
}

/**
 * One operation of a thread (an allocator call, or a handoff) and the steps it took: every step of its
 * thread numbered after `after` and up to `last`. The worker records it from the step it was granted as
 * the operation began and as it returned.
 */
export interface OpSpan {
  thread: number;
  /** The call, e.g. `alloc(64)`, `free(3, 1)`. */
  call: string;
  /** Whether it returned before the run stopped. */
  returned: boolean;
  /** What it returned, in words (`64`, `-1`, `true`), when it returns something. */
  result?: string;
  /** The last step its thread was granted before it began: its steps come after this one. */
  after: number;
  /** Its last step (== after: it made no scheduled call). */
  last: number;
}

/** FNV-1a over 32-bit words, two lanes with different offsets: a 64-bit digest without crypto. */
export class Digest {
  private a = 0x811c9dc5;
  private b = 0x01000193 ^ 0x5bd1e995;

  add(value: number): void {
    // Fold the value's two 32-bit halves in, so that values above 2^32 count too.
    const low = value | 0;
    const high = Math.floor(value / 2 ** 32) | 0;
    this.a = Math.imul(this.a ^ low, 0x01000193);
    this.a = Math.imul(this.a ^ high, 0x01000193);
    this.b = Math.imul(this.b ^ high, 0x01000193);
    this.b = Math.imul(this.b ^ low, 0x01000193);
  }

  addStep(step: Step): void {
    this.add(step.thread);
    this.add(step.request);
    this.add(step.array);
    this.add(step.index);
    this.add(step.arg1);
    this.add(step.arg2);
    if (typeof step.observed === 'number') this.add(step.observed);
    else if (typeof step.observed === 'string') this.add(waitResultNames.indexOf(step.observed as never) + 1000);
  }

  hex(): string {
    return (this.a >>> 0).toString(16).padStart(8, '0') + (this.b >>> 0).toString(16).padStart(8, '0');
  }
}

/** One byte naming the call a thread is about to make: what replay checks each step against. */
export function callHash(request: number, array: number, index: number, arg1: number, arg2: number): number {
  let h = Math.imul(0x811c9dc5 ^ request, 0x01000193);
  h = Math.imul(h ^ array, 0x01000193);
  h = Math.imul(h ^ index, 0x01000193);
  h = Math.imul(h ^ (arg1 | 0), 0x01000193);
  h = Math.imul(h ^ (arg2 | 0), 0x01000193);
  return (h ^ (h >>> 8) ^ (h >>> 16) ^ (h >>> 24)) & 0xff;
}

export function digestOf(steps: readonly Step[]): string {
  const digest = new Digest();
  for (const step of steps) digest.addStep(step);
  return digest.hex();
}

const isByte = (array: number) => array <= 1;
const show = (array: number, value: number) =>
  isByte(array) && value >= 0 ? `0x${value.toString(16).padStart(2, '0')}` : Number.isFinite(value) ? String(value) : 'inf';

/**
 * The call a step made, e.g. `cas u8[1304] 0x7f -> 0xff`; with `where`, what the location is:
 * `cas u8[1304] (block 0 bitmap, pages 9376..9383) 0x7f -> 0xff`.
 */
export function describeCall(step: Pick<Step, 'request' | 'array' | 'index' | 'arg1' | 'arg2'>, where?: string): string {
  const name = requestNames[step.request] ?? `op${step.request}`;
  const at = `${arrayTypes[step.array]}[${step.index}]${where ? ` (${where})` : ''}`;
  switch (step.request) {
    case Request.start:
    case Request.barrier:
    case Request.done:
    case Request.violation:
      return name;
    case Request.load:
    case Request.read:
      return `${name} ${at}`;
    case Request.write:
      // A method's write (copyWithin, sort) has no one value to show.
      return Number.isNaN(step.arg1) ? `write ${at}` : `write ${at} ${show(step.array, step.arg1)}`;
    case Request.compareExchange:
      return `cas ${at} ${show(step.array, step.arg1)} -> ${show(step.array, step.arg2)}`;
    case Request.wait:
      return `wait ${at} == ${show(step.array, step.arg1)}`;
    case Request.notify:
      return `notify ${at}`;
    default:
      return `${name} ${at} ${show(step.array, step.arg1)}`;
  }
}

/** The call and what it saw, e.g. `cas u8[1304] 0x7f -> 0xff saw 0x7f (won)`. */
export function describeStep(step: Step, where?: string): string {
  const call = describeCall(step, where);
  if (step.observed === undefined) return call;
  if (typeof step.observed === 'string') return `${call} -> ${step.observed}`;
  if (step.request === Request.compareExchange) {
    const won = step.observed === step.arg1 || (isByte(step.array) && (step.observed & 0xff) === (step.arg1 & 0xff));
    return `${call} saw ${show(step.array, step.observed)} (${won ? 'won' : 'lost'})`;
  }
  if (step.request === Request.notify) return `${call} -> woke ${step.observed}`;
  if (step.request === Request.store || step.request === Request.write) return call;
  if (step.request === Request.read) return `${call} saw ${show(step.array, step.observed)}`;
  return `${call} = ${show(step.array, step.observed)}`;
}

export interface TraceOptions {
  threads: number;
  /** The step at which the violation was seen (marked), or -1. */
  violationStep: number;
  /** How many of the last steps to show in full. */
  tail?: number;
  /** Column width per thread (default: the widest cell). */
  width?: number;
  /** The operations the steps belong to, from the workers' reports; without them steps stand alone. */
  ops?: readonly OpSpan[];
  /** What locations are, by `locationKey(array, index)`, where the subject could say. */
  locations?: Readonly<Record<string, string>>;
}

/** Steps shown in full at the end of a trace, unless told otherwise. */
export const TRACE_TAIL = 16;
/** Earlier accesses shown per location that the last steps touched. */
const PER_LOCATION = 3;

/**
 * Which steps a trace shows, ascending: the last `tail`, and of the earlier ones only the last few
 * accesses to each location the last steps touched, since a race is a story about one place in memory
 * (and a busy counter must not crowd out the byte the race is about).
 */
export function shownSteps(steps: readonly Step[], tail = TRACE_TAIL): number[] {
  const from = Math.max(0, steps.length - tail);
  const key = (s: Step) => `${s.array}:${s.index}`;
  const hot = new Map<string, number>();
  for (const s of steps.slice(from)) if (s.request !== Request.start) hot.set(key(s), 0);
  const earlier: number[] = [];
  for (let i = from - 1; i >= 0; i--) {
    const seen = hot.get(key(steps[i]!));
    if (seen === undefined || seen >= PER_LOCATION) continue;
    hot.set(key(steps[i]!), seen + 1);
    earlier.push(i);
  }
  earlier.reverse();
  return [...earlier, ...Array.from({ length: steps.length - from }, (_, k) => from + k)];
}

/** A trace row: the step it shows (or none, for an operation's first and last line), and one cell. */
interface Row {
  step?: number;
  thread: number;
  text: string;
}

/**
 * Renders steps one column per thread, each under the operation it belongs to: the operation's call
 * before its first shown step, `returns ...` after its last one, its steps indented. Operations that
 * made no scheduled call (a handoff, a call that only touched plain memory) stand on one line where
 * they happened. Steps not shown (see `shownSteps`) are folded into a count.
 */
export function formatTrace(steps: readonly Step[], options: TraceOptions): string {
  const shown = shownSteps(steps, options.tail);
  const spans = [...(options.ops ?? [])].sort((a, b) => a.after - b.after || a.thread - b.thread);
  // The op each step belongs to: a thread's spans are disjoint and ordered, so one pass per thread.
  const opOf = new Array<OpSpan | undefined>(steps.length);
  for (const span of spans) {
    for (let i = span.after + 1; i <= span.last && i < steps.length; i++) if (steps[i]!.thread === span.thread) opOf[i] = span;
  }
  const where = (s: Step) => options.locations?.[`${s.array}:${s.index}`];
  const ended = (span: OpSpan) => `${span.call} returns${span.result !== undefined ? ` ${span.result}` : ''}`;
  const rows: (Row | { fold: number })[] = [];
  const open = new Array<OpSpan | undefined>(options.threads);
  const isShown = new Set(shown);
  // Ops with no step of their own, placed after the step their thread took last before them.
  const instant = spans.filter((s) => s.last === s.after && s.returned);
  let nextInstant = 0;
  const placeInstant = (upTo: number) => {
    for (; nextInstant < instant.length && instant[nextInstant]!.after <= upTo; nextInstant++) {
      const span = instant[nextInstant]!;
      if (span.after < 0 || isShown.has(span.after)) rows.push({ thread: span.thread, text: ended(span) });
    }
  };
  let last = -1;
  // An operation shown open whose last step was folded still says what it returned, after the fold.
  const closeBefore = (i: number) => {
    for (let t = 0; t < options.threads; t++) {
      const span = open[t];
      if (span && span.last < i) {
        if (span.returned) rows.push({ thread: t, text: ended(span) });
        open[t] = undefined;
      }
    }
  };
  for (const i of shown) {
    placeInstant(i - 1);
    if (i - last > 1) rows.push({ fold: i - last - 1 });
    closeBefore(i);
    const step = steps[i]!;
    const t = step.thread;
    const span = opOf[i];
    if (span !== open[t]) {
      open[t] = span;
      if (span) rows.push({ thread: t, text: span.returned ? span.call : `${span.call}, not returned` });
    }
    rows.push({ step: i, thread: t, text: `${span ? '  ' : ''}${describeStep(step, where(step))}` });
    if (span && span.last === i && span.returned) {
      rows.push({ thread: t, text: ended(span) });
      open[t] = undefined;
    }
    last = i;
  }
  placeInstant(steps.length);
  if (steps.length - last > 1) rows.push({ fold: steps.length - last - 1 });
  closeBefore(steps.length);
  const width = options.width ?? Math.max(24, ...rows.map((r) => ('text' in r ? r.text.length : 0)));
  const header = ['step'.padStart(6), ...Array.from({ length: options.threads }, (_, t) => `thread ${t}`.padEnd(width))].join(' | ');
  const lines = [header, '-'.repeat(header.length)];
  for (const row of rows) {
    if ('fold' in row) {
      lines.push(`${''.padStart(6)}   ... ${row.fold} step${row.fold === 1 ? '' : 's'} folded ...`);
      continue;
    }
    const cells = Array.from({ length: options.threads }, (_, t) => (t === row.thread ? row.text : '').padEnd(width));
    const number = row.step === undefined ? '' : String(row.step);
    const mark = row.step !== undefined && row.step === options.violationStep ? '>' : ' ';
    lines.push([`${mark}${number.padStart(5)}`, ...cells].join(' | ').trimEnd());
  }
  return lines.join('\n');
}
