import { ByteCasView, byteCasDefinition } from '../byte-cas.ts';

/**
 * Reads the byte with `Atomics.load` and writes it with `Atomics.store`: each step is atomic, the pair is
 * not. Two threads that load the same byte both see the bit clear and both store it set: one page, two
 * owners; or a free's store wipes out the bit another thread set in the same byte a moment before.
 */
class RacyRmwView extends ByteCasView {
  protected override update(index: number, expected: number, desired: number): boolean {
    if (Atomics.load(this.u8, index) !== expected) return false;
    Atomics.store(this.u8, index, desired);
    return true;
  }
}

export const byteCasRacyRmw = byteCasDefinition('byte-cas/racy-rmw', RacyRmwView, {
  description: 'byte-cas with a load-then-store in place of the compare-and-swap.',
  defect: 'updates bitmap bytes with Atomics.load + Atomics.store instead of Atomics.compareExchange',
});
