// Entry of a controlled worker (piscina): register tsx in this thread, then hand over to the TypeScript task.
import './register-tsx.mjs';

const { default: controlledWorker } = await import('../src/controlled/worker.ts');
export default controlledWorker;
