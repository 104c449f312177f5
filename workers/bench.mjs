// Entry of a benchmark worker: each measurement gets a fresh thread, so V8 compiles the loop for one
// allocator only (a loop shared by three allocators would be polymorphic and slow for all of them).
import { parentPort, workerData } from 'node:worker_threads';
import './register-tsx.mjs';

const { measurePair } = await import('../src/bench/pair.ts');
parentPort.postMessage(await measurePair(workerData));
