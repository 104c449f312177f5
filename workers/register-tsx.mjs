// Worker threads on Node 20 do not inherit tsx's hooks from the thread that started them, so every
// worker entry imports this first: it registers tsx in the worker's own thread, for ES modules and for
// CommonJS (a user's .ts file outside any package.json "type": "module" loads as CommonJS), and the
// entry can then import TypeScript.
import { register as registerCjs } from 'tsx/cjs/api';
import { register } from 'tsx/esm/api';

registerCjs();
register();
