/**
 * Linearizability checking of a concurrent history against a sequential model: the Wing-Gong search
 * (Wing and Gong, "Testing and verifying concurrent objects", JPDC 1993) with Lowe's memoization of
 * (linearized set, model state), as porcupine and Lincheck do it.
 *
 * A linearization orders the operations so that (1) an operation that returned before another was
 * called comes first (real time), and (2) the model accepts each operation's result in that order.
 * Within one thread operations never overlap, so the linearized set is always a prefix of each
 * thread's operations: a vector of per-thread counts names it, and the memo holds (counts, state key).
 * For t threads of k operations each there are at most (k + 1)^t such vectors, which bounds the search
 * for the small rounds this checks (4 threads x 10 operations: 14,641 vectors times the distinct states).
 *
 * When a history is not linearizable, the shortest prefix that is not is found by binary search over
 * return times: the prefix up to time T holds the operations called by T; those that returned by T must
 * be linearized, those still running at T may be (with the result they later returned) or not. A prefix
 * that cannot be linearized stays so when it grows, which is what makes the search binary.
 */
import { type History, type Operation, type SequentialModel } from './history.ts';

export type LinearizabilityResult =
  | { ok: true; /** One order the model accepts. */ linearization: Operation[]; explored: number }
  | {
      ok: false;
      /** The shortest prefix that cannot be linearized ends when this operation returns. */
      culprit: Operation;
      /** The operations of that prefix, by call time. */
      prefix: Operation[];
      /** The longest sequence of the prefix's operations that the model did accept, for the report. */
      longest: Operation[];
      explored: number;
    }
  | { ok: 'unknown'; reason: string; explored: number };

export interface CheckOptions {
  /** Search states (distinct (counts, state) pairs) after which the answer is "unknown". */
  maxStates?: number;
}

const DEFAULT_MAX_STATES = 2_000_000;

export function checkLinearizable<State>(history: History, model: SequentialModel<State>, options: CheckOptions = {}): LinearizabilityResult {
  const maxStates = options.maxStates ?? DEFAULT_MAX_STATES;
  const full = searchPrefix(history, Infinity, model, maxStates);
  if (full.outcome === 'budget') return { ok: 'unknown', reason: `the search passed ${maxStates.toLocaleString('en-US')} states`, explored: full.explored };
  if (full.outcome === 'linearized') return { ok: true, linearization: full.order, explored: full.explored };
  // Binary search for the first return time whose prefix fails; the full history (the last) does.
  const returns = [...new Set(history.map((op) => op.ret))].sort((a, b) => a - b);
  let low = 0;
  let high = returns.length - 1;
  let explored = full.explored;
  // invariant: `failing` is the search of the prefix ending at returns[high] (the last one is the
  // whole history: every operation is called before the last return).
  let failing = full;
  while (low < high) {
    const mid = (low + high) >> 1;
    const attempt = searchPrefix(history, returns[mid]!, model, maxStates);
    explored += attempt.explored;
    if (attempt.outcome === 'budget') return { ok: 'unknown', reason: `the search passed ${maxStates.toLocaleString('en-US')} states`, explored };
    if (attempt.outcome === 'linearized') low = mid + 1;
    else {
      high = mid;
      failing = attempt;
    }
  }
  const end = returns[low]!;
  const prefix = history.filter((op) => op.call <= end).sort((a, b) => a.call - b.call || a.thread - b.thread);
  const culprit = history.find((op) => op.ret === end)!;
  return { ok: false, culprit, prefix, longest: failing.order, explored };
}

interface PrefixSearch {
  outcome: 'linearized' | 'impossible' | 'budget';
  /** The linearization found, or the longest accepted sequence when there is none. */
  order: Operation[];
  explored: number;
}

/** Searches the prefix of operations called by `until`; those that returned by `until` are required. */
function searchPrefix<State>(history: History, until: number, model: SequentialModel<State>, maxStates: number): PrefixSearch {
  const threadIds = [...new Set(history.map((op) => op.thread))].sort((a, b) => a - b);
  const ops = threadIds.map((t) => history.filter((op) => op.thread === t && op.call <= until).sort((a, b) => a.call - b.call));
  const required = ops.map((list) => list.filter((op) => op.ret <= until).length);
  // need[t][i][u]: how many of thread u's operations returned before thread t's i-th was called; all
  // of them must be linearized before it.
  const need = ops.map((list) => list.map((op) => ops.map((other) => other.filter((o) => o.ret < op.call).length)));
  const key = model.key ?? ((s: State) => JSON.stringify(s) ?? 'undefined');
  const seen = new Set<string>();
  const counts = new Array<number>(ops.length).fill(0);
  const order: Operation[] = [];
  let longest: Operation[] = [];
  let explored = 0;

  const done = () => counts.every((c, t) => c >= required[t]!);
  const visit = (state: State): 'linearized' | 'impossible' | 'budget' => {
    if (done()) return 'linearized';
    const memo = `${counts.join(',')}|${key(state)}`;
    if (seen.has(memo)) return 'impossible';
    seen.add(memo);
    if (++explored > maxStates) return 'budget';
    for (let t = 0; t < ops.length; t++) {
      const i = counts[t]!;
      const op = ops[t]![i];
      if (!op) continue;
      const needs = need[t]![i]!;
      if (!needs.every((n, u) => counts[u]! >= n)) continue;
      const next = model.step(state, op.name, op.args, op.result);
      if (next === undefined) continue;
      counts[t] = i + 1;
      order.push(op);
      if (order.length > longest.length) longest = [...order];
      const outcome = visit(next);
      if (outcome !== 'impossible') return outcome;
      order.pop();
      counts[t] = i;
    }
    return 'impossible';
  };
  const outcome = visit(model.init());
  return { outcome, order: outcome === 'linearized' ? [...order] : longest, explored };
}
