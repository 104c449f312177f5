import { ByteCasView, byteCasDefinition } from '../byte-cas.ts';

/**
 * A multi-page claim that loses a byte midway undoes the bytes it took, then reports success anyway and
 * hands out the run, part of which another thread now holds. LLFree's published code had this bug.
 */
class PartialClaimView extends ByteCasView {
  protected override partialClaimSucceeds(): boolean {
    return true;
  }
}

export const byteCasPartialClaim = byteCasDefinition('byte-cas/partial-claim', PartialClaimView, {
  description: 'byte-cas whose all-or-nothing large-page claim returns the run even when it was undone.',
  defect: 'a multi-page claim that fails midway undoes what it took but still returns the run',
});
