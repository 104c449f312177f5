/**
 * A concurrent history: every operation one round of an object's threads made, with when it was called
 * and when it returned. Times are any increasing clock shared by the threads (a shared atomic counter in
 * stress mode, the step number in controlled mode): only their order matters.
 *
 * invariant: within one thread, operations do not overlap (each returns before the next is called).
 */
export interface Operation {
  thread: number;
  /** The method called, e.g. `push`. */
  name: string;
  args: readonly unknown[];
  /** What it returned (undefined for a void method). */
  result: unknown;
  /** When it was called. */
  call: number;
  /** When it returned: after `call`. */
  ret: number;
}

export type History = readonly Operation[];

/**
 * The sequential specification an object is checked against, as a step function: from `state`, the
 * operation `name(args)` returning `result` leads to the next state, or is impossible (undefined).
 * Returning a state for several results is how a nondeterministic operation is allowed (a `push` that
 * may write fewer items than there is room for). States must not be changed in place: `step` returns
 * a new one.
 */
export interface SequentialModel<State> {
  init(): State;
  step(state: State, name: string, args: readonly unknown[], result: unknown): State | undefined;
  /** A key equal for equal states, for memoization; default: JSON. */
  key?(state: State): string;
}

/** `name(args) -> result`, as histories and traces print an operation. */
export function describeOperation(op: Pick<Operation, 'name' | 'args' | 'result'>): string {
  const args = op.args.map((a) => show(a)).join(', ');
  return op.result === undefined ? `${op.name}(${args})` : `${op.name}(${args}) -> ${show(op.result)}`;
}

function show(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  if (value === undefined) return 'undefined';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return JSON.stringify(value) ?? String(value);
}
