import { type Color, ColoredRegionView, coloredRegionDefinition } from '../colored-region.ts';

/**
 * The journal's first confessed bug: only two colors, 01 and 10. A gap between a 01 region and a 10
 * region can take neither color without touching a neighbour of the same color, and the new region
 * merges with it: the bitmap no longer says where one ends.
 */
class TwoColorView extends ColoredRegionView {
  protected override nextColor(c: Color): Color {
    return c === 1 ? 2 : 1;
  }
}

export const coloredRegionTwoColor = coloredRegionDefinition('colored-region/two-color', TwoColorView, {
  description: 'colored-region with a palette of two colors.',
  defect: 'only colors 01 and 10, so a region between a 01 and a 10 neighbour merges with one of them',
});
