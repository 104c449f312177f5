// Entry of the worker that imports a program's module for the main thread (src/subjects/program/
// load-program.ts) and answers with its plain fields: the module's top level is user code, so it never
// runs on the main thread.
import './register-tsx.mjs';

const { answerProgramInfo } = await import('../src/subjects/program/program-info-worker.ts');
await answerProgramInfo();
