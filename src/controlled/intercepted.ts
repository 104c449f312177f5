/**
 * The frame of one controlled thread's schedule, whatever it runs: the Atomics functions wrapped (and,
 * unless `--points atomics`, plain typed-array accesses and methods on the subject's buffer made
 * scheduling points) for the length of `body`, and put back however it ends. A ControlledAbort (the
 * coordinator ended the schedule) ends the body quietly; anything else propagates.
 */
import { ControlledAbort, type Interceptor } from './intercept.ts';
import { startPlainAccess, stopPlainAccess } from './plain-access.ts';
import { patchTypedArrayMethods, unpatchTypedArrayMethods } from './plain-access-methods.ts';
import type { PointsMode } from './plain-access-mode.ts';

export function runIntercepted(interceptor: Interceptor, buffer: SharedArrayBuffer, points: PointsMode | undefined, body: () => void): void {
  const plain = points !== 'atomics';
  interceptor.install();
  if (plain) {
    startPlainAccess(interceptor, buffer);
    patchTypedArrayMethods(interceptor, buffer);
  }
  try {
    body();
  } catch (error) {
    if (!(error instanceof ControlledAbort)) throw error;
  } finally {
    if (plain) {
      unpatchTypedArrayMethods();
      stopPlainAccess();
    }
    interceptor.uninstall();
  }
}
