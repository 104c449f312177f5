/**
 * How a view written for a global lock reads shared memory. Plain loads in stress mode; in controlled
 * mode (attach's `schedulable`), `Atomics.load`, so that each read is a scheduling point.
 */
export type Load = (array: Uint8Array | Int32Array, index: number) => number;

const plainLoad: Load = (array, index) => array[index]!;
// Looked up on every call, not bound once: controlled mode wraps Atomics.load for the length of a run.
const atomicLoad: Load = (array, index) => Atomics.load(array, index);

/**
 * The load a view built for a global lock should use. Plain loads cost 0.7 ns here and Atomics.load 5 ns,
 * so stress mode reads plainly; every view in one thread gets the same function, so V8 inlines it.
 */
export function loadFor(schedulable: boolean | undefined): Load {
  return schedulable ? atomicLoad : plainLoad;
}
