/**
 * Where a port's shared variables live: each gets the next run of 32-bit words of the region, in the
 * order given, so one table is both the memory map the threads index with and the names `describe`
 * gives the harness's traces ("count", "buffer[2]").
 */

export interface Layout<K extends string> {
  /** Word index of each variable's first word. */
  readonly at: { readonly [P in K]: number };
  /** Words in all. */
  readonly words: number;
  /** Bytes the program asks for: `words` words. */
  readonly bytes: number;
  /** The variable (and element) a byte offset of the region falls in; undefined past the end. */
  describe(byteOffset: number): string | undefined;
}

/**
 * `spec` maps each variable to its shape: 1 for a scalar word, n for an n-word array (named `key[i]`),
 * or the field names of a struct of one word per field (named `key.field`), such as a lib mutex's.
 */
export function layout<K extends string>(spec: { readonly [P in K]: number | readonly string[] }): Layout<K> {
  const at = {} as { [P in K]: number };
  const names: string[] = [];
  for (const key of Object.keys(spec) as K[]) {
    const shape: number | readonly string[] = spec[key];
    at[key] = names.length;
    if (typeof shape !== 'number') for (const field of shape) names.push(`${key}.${field}`);
    else for (let i = 0; i < shape; i++) names.push(shape === 1 ? key : `${key}[${i}]`);
  }
  return {
    at,
    words: names.length,
    bytes: names.length * 4,
    describe: (byteOffset) => (byteOffset >= 0 ? names[Math.floor(byteOffset / 4)] : undefined),
  };
}

/** The region as 32-bit words: the one view every port indexes its shared variables through. */
export function wordsOf(memory: { buffer: SharedArrayBuffer; byteOffset: number }, words: number): Int32Array {
  return new Int32Array(memory.buffer, memory.byteOffset, words);
}
