/** Imports a program's module (in a worker: its top level is user code) and returns its default export. */
import { pathToFileURL } from 'node:url';

export async function importProgram(file: string): Promise<unknown> {
  const module = (await import(pathToFileURL(file).href)) as { default?: unknown };
  return module.default;
}
