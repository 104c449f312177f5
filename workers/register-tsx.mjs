// Worker threads on Node 20 do not inherit tsx's ESM hooks from the thread that started them, so every
// worker entry imports this first: it registers tsx in the worker's own thread, then the entry can
// import TypeScript modules.
import { register } from 'tsx/esm/api';

register();
