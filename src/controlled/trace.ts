/**
 * The trace of a controlled run: every scheduling step, which thread took it, the Atomics call or plain
 * read or write it made (`read u8[200] saw 0x0f`, `write u8[200] 0x1f`) and what it saw. Rendered one column per thread, with the violating step marked and the early
 * steps folded except those that touched the same memory as the last ones.
 */
import { Request, arrayTypes, requestNames, waitResultNames } from './protocol.ts';

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

/** The call a step made, e.g. `cas u8[1304] 0x7f -> 0xff`. */
export function describeCall(step: Pick<Step, 'request' | 'array' | 'index' | 'arg1' | 'arg2'>): string {
  const name = requestNames[step.request] ?? `op${step.request}`;
  const where = `${arrayTypes[step.array]}[${step.index}]`;
  switch (step.request) {
    case Request.start:
    case Request.barrier:
    case Request.done:
    case Request.violation:
      return name;
    case Request.load:
      return `load ${where}`;
    case Request.read:
      return `read ${where}`;
    case Request.write:
      // A method's write (copyWithin, sort) has no one value to show.
      return Number.isNaN(step.arg1) ? `write ${where}` : `write ${where} ${show(step.array, step.arg1)}`;
    case Request.compareExchange:
      return `cas ${where} ${show(step.array, step.arg1)} -> ${show(step.array, step.arg2)}`;
    case Request.wait:
      return `wait ${where} == ${show(step.array, step.arg1)}`;
    case Request.notify:
      return `notify ${where}`;
    default:
      return `${name} ${where} ${show(step.array, step.arg1)}`;
  }
}

/** The call and what it saw, e.g. `cas u8[1304] 0x7f -> 0xff saw 0x7f (won)`. */
export function describeStep(step: Step): string {
  const call = describeCall(step);
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
  /** Column width per thread. */
  width?: number;
}

/**
 * Renders steps one column per thread. The last `tail` steps are shown; of the earlier ones only the
 * last few accesses to each location the last steps touched, since a race is a story about one place
 * in memory (and a busy counter must not crowd out the byte the race is about); the rest are folded
 * into a count.
 */
export function formatTrace(steps: readonly Step[], options: TraceOptions): string {
  const tail = options.tail ?? 16;
  const width = options.width ?? 40;
  const perLocation = 3;
  const from = Math.max(0, steps.length - tail);
  const key = (s: Step) => `${s.array}:${s.index}`;
  const hot = new Map<string, number>();
  for (const s of steps.slice(from)) if (s.request !== Request.start) hot.set(key(s), 0);
  const earlier: number[] = [];
  for (let i = from - 1; i >= 0; i--) {
    const seen = hot.get(key(steps[i]!));
    if (seen === undefined || seen >= perLocation) continue;
    hot.set(key(steps[i]!), seen + 1);
    earlier.push(i);
  }
  earlier.reverse();
  const rows: string[] = [];
  const header = ['step'.padStart(6), ...Array.from({ length: options.threads }, (_, t) => `thread ${t}`.padEnd(width))].join(' | ');
  rows.push(header, '-'.repeat(header.length));
  let last = -1;
  const fold = (upTo: number) => {
    if (upTo - last > 1) rows.push(`${''.padStart(6)}   ... ${upTo - last - 1} step${upTo - last - 1 === 1 ? '' : 's'} folded ...`);
  };
  for (const i of [...earlier, ...Array.from({ length: steps.length - from }, (_, k) => from + k)]) {
    fold(i);
    const step = steps[i]!;
    const cells = Array.from({ length: options.threads }, (_, t) => (t === step.thread ? describeStep(step) : '').padEnd(width));
    const mark = i === options.violationStep ? '>' : ' ';
    rows.push([`${mark}${String(i).padStart(5)}`, ...cells].join(' | ').trimEnd());
    last = i;
  }
  return rows.join('\n');
}
