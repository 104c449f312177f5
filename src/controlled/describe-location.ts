/**
 * What a scheduling point's location is, in words, for traces: the harness's global lock word, or
 * whatever the allocator's optional `describe` says about its region. Runs in a controlled worker (the
 * allocator's code never runs on the main thread); the coordinator asks for the locations a failing
 * trace shows, and the answers go back in the worker's report.
 */
import type { AllocatorDefinition, MemoryLocation } from '../alloc/contract.ts';
import { LockLayout } from '../alloc/global-lock.ts';
import type { Layout } from '../subjects/allocator/layout.ts';
import { arrayTypes, elementBytes } from '../harness/array-types.ts';

/** A description longer than this is cut: a trace cell must stay readable. */
export const MAX_DESCRIPTION = 60;

/** The key a location has in a report's `locations`: array type code and element index, as a step has them. */
export function locationKey(array: number, index: number): string {
  return `${array}:${index}`;
}

const lockWords: Record<number, string> = { [LockLayout.i32.state]: 'global lock state', [LockLayout.i32.owner]: 'global lock owner' };

/**
 * Describes the element `index` of array type `array`, counted from the start of the controlled run's
 * allocator buffer (which holds the lock, then the allocator's region: layout.ts). Undefined when there
 * is nothing to say; a `describe` that throws or answers something other than a string says nothing.
 */
export function describeLocation(definition: AllocatorDefinition, layout: Layout, array: number, index: number): string | undefined {
  const bytes = elementBytes[array];
  const type = arrayTypes[array];
  if (bytes === undefined || type === undefined) return undefined;
  const byte = index * bytes;
  if (byte >= layout.lockOffset && byte < layout.lockOffset + LockLayout.bytes) {
    return bytes === 4 ? lockWords[(byte - layout.lockOffset) >> 2] : 'global lock';
  }
  const byteOffset = byte - layout.allocatorOffset;
  if (!definition.describe || byteOffset < 0 || byteOffset >= layout.allocatorBytes || byteOffset % bytes !== 0) return undefined;
  const location: MemoryLocation = { array: type, index: byteOffset / bytes, byteOffset, bytes };
  let text: unknown;
  try {
    text = definition.describe(location, layout.pages);
  } catch {
    return undefined;
  }
  if (typeof text !== 'string' || text.length === 0) return undefined;
  // A user's text goes to a terminal: no control characters (escape sequences), and a bounded length.
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return clean.length > MAX_DESCRIPTION ? `${clean.slice(0, MAX_DESCRIPTION - 3)}...` : clean;
}
