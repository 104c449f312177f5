// Entry of a controlled worker (piscina): register tsx in this thread, then (with `--points all`, which
// the coordinator passes as the pool's workerData) the plain-access source transform, so that it sees
// every module the task imports; then hand over to the TypeScript task.
import { workerData } from 'node:worker_threads';
import './register-tsx.mjs';

const plain = workerData?.points !== 'atomics';
// The coroutine engine (`--engine coroutines`) rewrites functions into generators: the whole run's
// threads are coroutines on this one worker.
const coroutines = workerData?.engine === 'coroutines';
if (plain || coroutines) {
  const { registerPlainAccess } = await import('../src/controlled/plain-access-loader.ts');
  registerPlainAccess({ plain, coroutines });
}
// The driver does not import its subjects: each task goes to the subject its kind names.
const [{ default: allocatorWorker }, { programWorker }, { default: coroutineWorker }, { programCoroutineWorker }] = await Promise.all([
  import('../src/controlled/worker.ts'),
  import('../src/subjects/program/controlled-program.ts'),
  import('../src/controlled/coroutines/worker.ts'),
  import('../src/subjects/program/coroutine-program.ts'),
]);
const coroutineTask = (task) => (task.threads[0].kind === 'program' ? programCoroutineWorker(task) : coroutineWorker(task));
export default (task) => (task.kind === 'program' ? programWorker(task) : task.kind === 'coroutines' ? coroutineTask(task) : allocatorWorker(task));
