/**
 * What the coordinator sends a controlled worker that runs a program (its side is
 * src/subjects/program/controlled-program.ts). Declared here, beside the allocator's task (worker.ts),
 * because the coordinator makes it: the driver knows the shape of what it sends, not the subject's code,
 * and workers/controlled.mjs hands each task to the subject its kind names.
 */
import type { PointsMode } from './plain-access-mode.ts';

export interface ProgramControlledTask {
  kind: 'program';
  /** Absolute path of the program's module. */
  program: string;
  sharedBytes: number;
  threads: number;
  thread: number;
  /** The program's own buffer: every access to it is a scheduling point. */
  subjectBuffer: SharedArrayBuffer;
  /** Its bookkeeping buffer: no access to it is. */
  scratchBuffer: SharedArrayBuffer;
  control: SharedArrayBuffer;
  batch: SharedArrayBuffer;
  spin: number;
  reports: SharedArrayBuffer;
  points?: PointsMode;
}
