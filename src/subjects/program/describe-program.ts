/**
 * What a location of a program's memory is, in the program's own words (its optional `describe`), as
 * both modes name it: controlled traces and deadlocks, and stress's deadlocks, so that the same wait
 * reads `i32[1] (lock B)` whichever mode found it.
 */
import { arrayTypes, elementBytes } from '../../harness/array-types.ts';
import type { ProgramDefinition } from './contract.ts';

/** Longest description kept: a location is named inside a line, not a paragraph. */
const MAX_TEXT = 80;

/** The program's name for element `index` of an array of type code `array`, or undefined when it has none. */
export function describeProgramLocation(program: ProgramDefinition, array: number, index: number): string | undefined {
  if (!program.describe) return undefined;
  try {
    const text = program.describe(index * (elementBytes[array] ?? 1));
    return typeof text === 'string' ? text.slice(0, MAX_TEXT) : undefined;
  } catch {
    // A describe that throws names nothing; the raw location is still shown, so say it once more.
    return `${arrayTypes[array]}[${index}]`;
  }
}
