/** The program-info worker's task (workers/program-info.mjs): import, check, answer with plain fields. */
import { parentPort, workerData } from 'node:worker_threads';
import { checkProgram, looksLikeProgram, programInfo, thrownText } from './check-program.ts';
import { importProgram } from './import-program.ts';

export async function answerProgramInfo(): Promise<void> {
  const { file, where } = workerData as { file: string; where: string };
  let exported: unknown;
  try {
    exported = await importProgram(file);
  } catch (error) {
    parentPort!.postMessage({ error: `${where}: could not import: ${thrownText(error)}` });
    return;
  }
  try {
    if (!looksLikeProgram(exported)) {
      parentPort!.postMessage({ notProgram: true });
      return;
    }
    parentPort!.postMessage({ info: programInfo(checkProgram(exported, where)) });
  } catch (error) {
    parentPort!.postMessage({ error: thrownText(error) });
  }
}
