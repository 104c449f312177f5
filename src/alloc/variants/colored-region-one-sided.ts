import { type Color, ColoredRegionView, coloredRegionDefinition } from '../colored-region.ts';

/**
 * The journal's second confessed bug: the color is chosen against the left neighbour only. When the
 * right neighbour already has the color after the left's, the new region merges into it.
 */
class OneSidedView extends ColoredRegionView {
  protected override colorFor(left: number): Color {
    return left === 0 ? 1 : this.nextColor(left as Color);
  }
}

export const coloredRegionOneSided = coloredRegionDefinition('colored-region/one-sided', OneSidedView, {
  description: 'colored-region that checks only the left neighbour when choosing a color.',
  defect: 'checks the left neighbour only, so a new region can take its right neighbour’s color and merge',
});
