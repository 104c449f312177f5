/**
 * Thrown through a thread's stack when the run it belongs to is ended from outside (controlled mode's
 * coordinator aborts every thread at the first violation). Whoever catches errors from an allocator
 * call must let it pass: it is not the allocator's error.
 */
export class RunAborted extends Error {
  override readonly name: string = 'RunAborted';
}
