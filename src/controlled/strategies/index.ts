/**
 * The strategies, by name: the one place that lists them. The CLI's `--strategy` choices and usage
 * line, explore's scheduler, the result's and token's strategy names all come from here.
 */
import type { Scheduler } from '../scheduler.ts';
import { pct } from './pct.ts';
import { portfolio } from './portfolio.ts';
import { pos } from './pos.ts';
import { random } from './random.ts';
import type { StrategyInfo, StrategyOptions } from './strategy.ts';
import { surw } from './surw.ts';

export type { Bound, ScheduleSummary, StrategyInfo, StrategyOptions } from './strategy.ts';
export { summarizeSchedule } from './schedule-summary.ts';

/** The members of the portfolio, in rotation order: schedule 0 is a random walk. */
const members = [random, surw, pos, pct] as const;

export const strategies = {
  portfolio: portfolio(members),
  random,
  pct,
  pos,
  surw,
} as const satisfies Record<string, StrategyInfo>;

export type StrategyName = keyof typeof strategies;
export const strategyNames = Object.keys(strategies) as StrategyName[];
export const defaultStrategy: StrategyName = 'portfolio';

export function isStrategyName(name: string): name is StrategyName {
  return Object.hasOwn(strategies, name);
}

export function strategyInfo(name: StrategyName): StrategyInfo {
  return strategies[name];
}

export function createScheduler(name: StrategyName, options: StrategyOptions): Scheduler {
  return strategies[name].create(options);
}
