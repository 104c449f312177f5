/**
 * Every allocator pagerace ships, by name: the three built-ins and their known-bug variants. They are
 * plain {@link AllocatorDefinition}s, the same shape a user's module default-exports.
 */
import { byteCas } from './byte-cas.ts';
import { coloredRegion } from './colored-region.ts';
import type { AllocatorDefinition } from './contract.ts';
import { stackBitmap } from './stack-bitmap.ts';
import { byteCasPartialClaim } from './variants/byte-cas-partial-claim.ts';
import { byteCasPrecedence } from './variants/byte-cas-precedence.ts';
import { byteCasRacyRmw } from './variants/byte-cas-racy-rmw.ts';
import { coloredRegionOneSided } from './variants/colored-region-one-sided.ts';
import { coloredRegionTwoColor } from './variants/colored-region-two-color.ts';
import { stackBitmapDoublePush } from './variants/stack-bitmap-double-push.ts';

/** The correct allocators, in the order reports list them. */
export const builtins: readonly AllocatorDefinition[] = [byteCas, coloredRegion, stackBitmap];

/** One defect each; the harness must catch the correctness ones and the charts must show `precedence`. */
export const variants: readonly AllocatorDefinition[] = [
  byteCasRacyRmw,
  byteCasPartialClaim,
  byteCasPrecedence,
  coloredRegionTwoColor,
  coloredRegionOneSided,
  stackBitmapDoublePush,
];

export const allocators: Readonly<Record<string, AllocatorDefinition>> = Object.fromEntries(
  [...builtins, ...variants].map((definition) => [definition.name, definition]),
);
