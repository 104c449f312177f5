/**
 * pthread_join / Thread.Join / WaitForSingleObject(thread) on a thread of the same program: the thread
 * sets its word to 1 as its last act, and a joiner sleeps until it does. Ports model a join only where
 * something after it depends on it; a join that only ends the program is dropped, since the harness
 * waits for every thread anyway.
 */

export function exitThread(words: Int32Array, done: number): void {
  Atomics.store(words, done, 1);
  Atomics.notify(words, done);
}

export function joinThread(words: Int32Array, done: number): void {
  while (Atomics.load(words, done) === 0) Atomics.wait(words, done, 0);
}
