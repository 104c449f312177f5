// Entry of a stress worker (piscina): register tsx in this thread, then hand over to the TypeScript task.
import './register-tsx.mjs';

const { default: stressWorker } = await import('../src/stress/worker.ts');
export default stressWorker;
