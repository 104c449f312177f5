// Entry of a program's stress worker (piscina): register tsx in this thread, then run the rounds.
import './register-tsx.mjs';

const { default: programStressWorker } = await import('../src/subjects/program/stress-program-worker.ts');
export default programStressWorker;
