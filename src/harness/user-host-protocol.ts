/**
 * What the main thread and the user host (user-host.ts, user-host-worker.ts) say to each other. Every
 * call of allocator code that is not a stress or controlled thread's own runs in the host, one request
 * at a time: a request carries an id, its answer the same id.
 */
import type { AllocatorRef } from '../alloc/load-allocator.ts';
import type { Violation } from '../check/violation.ts';
import type { Phase } from '../scenario/schema.ts';
import type { Layout } from '../subjects/allocator/layout.ts';
import type { SharedLayout } from './shared-layout.ts';

export interface HostData {
  ref: AllocatorRef;
  /** The module as messages name it (the path the user gave). */
  where: string;
  /** The call in flight, for a timeout to name it: see HostStatusLayout. */
  status: SharedArrayBuffer;
}

/**
 * The status buffer: written by the host (Atomics stores) before each call of allocator code, read by
 * the main thread only when a call times out, to say which call hung; the host cannot answer then.
 */
export const HostStatusLayout = {
  bytes: 8,
  i32: {
    /** One of HostCall; HostCall.none between calls. */
    call: 0,
    /** The page of an isAllocated call, stored before `call`. */
    callArg: 1,
  },
} as const satisfies SharedLayout;

export const HostCall = { none: 0, import: 1, sharedBytes: 2, init: 3, attach: 4, removeMemory: 5, audit: 6, isAllocated: 7 } as const;
export type HostCall = (typeof HostCall)[keyof typeof HostCall];

export type HostRequest =
  | { id: number; op: 'sharedBytes'; pages: number }
  | { id: number; op: 'bind'; buffer: SharedArrayBuffer; layout: Layout; allocatorBuffer?: SharedArrayBuffer }
  /** init, attach and taking the offline range out: one round trip a schedule in controlled mode. */
  | { id: number; op: 'prepare'; threads: number; offline?: { first: number; count: number }; scenario: string }
  | { id: number; op: 'audit'; checks: boolean; phase?: Phase };

/** A request before the host numbers it. */
export type HostCommand = HostRequest extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;

/**
 * How a call failed. `threw`: the allocator threw (the text says what); `returned`: it returned what
 * the contract forbids; `usage`: the module cannot serve this scenario at all (bad input, exit 2).
 */
export interface HostError {
  kind: 'threw' | 'returned' | 'usage';
  message: string;
}

export type HostReply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: HostError };

/** The host's first message: the module loaded, or why not. */
export type HostHello =
  | { hello: 'booted' }
  | { hello: 'loaded'; info: import('../alloc/load-allocator.ts').AllocatorInfo }
  | { hello: 'failed'; error: HostError };

export type AuditValue = Violation[];
