// Entry of the user host (src/harness/user-host.ts): register tsx in this thread, then serve the main
// thread's calls of allocator code.
import './register-tsx.mjs';

const { runHost } = await import('../src/harness/user-host-worker.ts');
await runHost();
