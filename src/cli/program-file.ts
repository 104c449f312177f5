/**
 * Whether the file a command names is a program rather than a scenario (see
 * src/subjects/program/load-program.ts for how that is told without running it here).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { ProgramInfo } from '../subjects/program/check-program.ts';
import { loadProgramInfo, mayBeProgram } from '../subjects/program/load-program.ts';
import { userCwd } from '../io/user-cwd.ts';

export interface NamedProgram {
  /** Absolute path. */
  file: string;
  /** As the user named it, relative to where they typed the command when inside it. */
  shown: string;
  info: ProgramInfo;
}

export async function programNamed(named: string): Promise<NamedProgram | undefined> {
  const cwd = userCwd();
  const candidates = [named, `${named}.ts`].map((n) => path.resolve(cwd, n));
  const file = candidates.find((f) => existsSync(f) && mayBeProgram(f));
  if (!file) return undefined;
  const relative = path.relative(cwd, file);
  const shown = relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
  const info = await loadProgramInfo(file, shown);
  return info ? { file, shown, info } : undefined;
}
