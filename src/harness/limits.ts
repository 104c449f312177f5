/**
 * How big a controlled run may be. Explore refuses flags beyond these, and a replay token is checked
 * against the same figures, so that every token explore can make replays and a forged one cannot ask
 * for more than explore would ever have run.
 */
import { MAX_THREADS } from '../scenario/schema.ts';

/**
 * Threads in one controlled run: as many as a stress run may have, so that a stress failure can be
 * explored at its own thread count (`--from`). Small runs find most bugs; big ones are slow, not wrong.
 */
export const MAX_EXPLORE_THREADS = MAX_THREADS;

/**
 * The largest step budget (`--steps`) a controlled run may be given, and so the most steps a replay
 * token may record. Twenty times the default of 200,000: a real livelock token of 200,000 steps is
 * 289,451 characters (about 1.45 a step), so a token at this cap stays under MAX_TOKEN_CHARS.
 */
export const MAX_STEP_BUDGET = 4_000_000;

/** Churn operations per thread in one controlled run: each takes at least a step, most take dozens. */
export const MAX_EXPLORE_OPS = 1_000_000;

/**
 * Pages in one controlled run: 4 GiB of managed memory. The run lays out one ledger slot per page,
 * so this bounds what a replay allocates before its first step.
 */
export const MAX_EXPLORE_PAGES = 1 << 20;
