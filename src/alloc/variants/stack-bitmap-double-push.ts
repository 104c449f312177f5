import { StackBitmapView, stackBitmapDefinition } from '../stack-bitmap.ts';

/**
 * Free pushes the entry back whether or not it was full. An entry already on the stack goes on twice:
 * the stack gets a cycle, a full entry stays reachable from the head, and alloc takes a bit from a full
 * word (a page that is already out, or none at all).
 */
class DoublePushView extends StackBitmapView {
  protected override mustPush(): boolean {
    return true;
  }
}

export const stackBitmapDoublePush = stackBitmapDefinition('stack-bitmap/double-push', DoublePushView, {
  description: 'stack-bitmap whose free pushes the entry even when it was not full.',
  defect: 'free pushes the entry back on the stack even when it was not full',
});
