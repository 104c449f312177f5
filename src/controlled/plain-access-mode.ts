/**
 * `--points atomics|all`: which accesses are scheduling points in a controlled run. `atomics`: every
 * Atomics call on the subject's buffer. `all` (the default): those, and every plain typed-array read and
 * write of the code under test, rewritten by the source transform in the controlled workers' loader.
 */
import { UsageError } from '../io/usage-error.ts';

export const pointsModes = ['atomics', 'all'] as const;
export type PointsMode = (typeof pointsModes)[number];
export const DEFAULT_POINTS: PointsMode = 'all';

export function parsePoints(value: string): PointsMode {
  if ((pointsModes as readonly string[]).includes(value)) return value as PointsMode;
  throw new UsageError(`--points ${value}: expected ${pointsModes.join(' or ')}`);
}
