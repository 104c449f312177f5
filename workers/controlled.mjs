// Entry of a controlled worker (piscina): register tsx in this thread, then (with `--points all`, which
// the coordinator passes as the pool's workerData) the plain-access source transform, so that it sees
// every module the task imports; then hand over to the TypeScript task.
import { workerData } from 'node:worker_threads';
import './register-tsx.mjs';

if (workerData?.points !== 'atomics') {
  const { registerPlainAccess } = await import('../src/controlled/plain-access-loader.ts');
  registerPlainAccess();
}
// The driver does not import its subjects: each task goes to the subject its kind names.
const [{ default: allocatorWorker }, { programWorker }] = await Promise.all([
  import('../src/controlled/worker.ts'),
  import('../src/subjects/program/controlled-program.ts'),
]);
export default (task) => (task.kind === 'program' ? programWorker(task) : allocatorWorker(task));
