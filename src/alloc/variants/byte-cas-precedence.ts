import { ByteCasView, byteCasDefinition } from '../byte-cas.ts';

/**
 * The seed's literal `(Bit Index >> 3 + 1) << 3`. `+` binds tighter than `>>`, so this is
 * `(bit >> 4) << 3`: after a failed CAS on byte i the search jumps back to byte i / 2 and walks over full
 * bytes again. It loses no page; it costs time exactly when threads contend, which the charts must show.
 */
class PrecedenceView extends ByteCasView {
  protected override nextByte(bit: number): number {
    // prettier-ignore
    return ((bit >> 3 + 1) << 3) >> 3;
  }
}

export const byteCasPrecedence = byteCasDefinition('byte-cas/precedence', PrecedenceView, {
  description: "byte-cas with the seed's literal next-byte expression after a failed CAS.",
  defect: 'after a failed CAS the search resumes at (bit >> 3 + 1) << 3 = (bit >> 4) << 3, walking backwards',
});
