/**
 * A portfolio: the schedule of turn i (its place in the exploration; see StrategyOptions.turn) runs
 * member i mod m, so every member gets every m-th schedule. Each strategy has blind spots (on
 * SCTBench POS finds nothing in reorder_10 and larger, PCT nothing in SafeStack), and a bug one member
 * misses another may find early. Guarantee: each member keeps its own chance per schedule on its share
 * of the schedules, so a portfolio needs at most m times the schedules of its best member for a given
 * bug, in expectation (PCT's bound is stated over PCT's share only).
 */
import type { StrategyInfo } from './strategy.ts';

/** A schedule index from a seed, for a schedule made outside an exploration's numbering (shrinking). */
function seedIndex(seed: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export function portfolio(members: readonly StrategyInfo[]): StrategyInfo {
  if (members.length === 0) throw new Error('a portfolio needs at least one member');
  const memberAt = (index: number) => members[index % members.length]!;
  const memberFor = (options: { turn?: number | undefined; index?: number | undefined; seed: string }) => memberAt(options.turn ?? options.index ?? seedIndex(options.seed));
  return {
    name: 'portfolio',
    summary: `rotates ${members.map((m) => m.name).join(', ')}, in this order, one schedule each`,
    usesDepth: members.some((m) => m.usesDepth),
    learns: members.some((m) => m.learns === true),
    create: (options) => memberFor(options).create(options),
    label: (options) =>
      options.turn === undefined && options.seed === undefined
        ? `portfolio (${members.map((m) => m.label(options)).join(', ')})`
        : `portfolio/${memberFor({ turn: options.turn, seed: options.seed ?? '' }).label(options)}`,
    bound: (args) => {
      const k = members.findIndex((m) => m.bound !== undefined);
      if (k < 0) return undefined;
      // The schedules of this shard that member k ran: turn j + i - 1 for j < schedules.
      let runs = 0;
      for (let j = 0; j < args.schedules; j++) if ((j + args.shard.index - 1) % members.length === k) runs++;
      return members[k]!.bound!({ ...args, schedules: runs });
    },
  };
}
