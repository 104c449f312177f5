/**
 * The user host's side (loaded through `workers/host.mjs`): the one worker where allocator code runs on
 * behalf of the main thread. It imports the module, formats the region, attaches the view that audits
 * use, takes memory offline before a run, and audits at quiescence, each on request. Nothing here
 * guards against an endless loop: the main thread does (user-host.ts), by terminating this worker, which
 * is why the main thread never calls allocator code itself.
 *
 * Before each call of allocator code the host writes which call it is into the status buffer, so that a
 * main thread whose call timed out, or whose host died, can say which call it was.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { AllocatorDefinition, PageAllocator } from '../alloc/contract.ts';
import { type AllocatorInfo, checkAttached, loadAllocator } from '../alloc/load-allocator.ts';
import { auditAtQuiescence } from '../check/audit.ts';
import { UsageError } from '../io/usage-error.ts';
import { RunViews } from '../subjects/allocator/layout.ts';
import { type HostData, type HostError, type HostHello, type HostReply, type HostRequest, HostCall, HostStatusLayout } from './user-host-protocol.ts';
import { checkSharedBytes } from './shared-bytes.ts';

/** Thrown by `call` with the text the main thread reports. */
class CallFailed extends Error {
  constructor(readonly error: HostError) {
    super(error.message);
  }
}

export async function runHost(): Promise<void> {
  const port = parentPort!;
  const data = workerData as HostData;
  const status = new Int32Array(data.status);
  const send = (message: HostHello | HostReply) => port.postMessage(message);
  send({ hello: 'booted' });

  /** Runs one call of allocator code, recording it in the status buffer; a throw becomes a CallFailed. */
  const call = <T>(code: HostCall, text: string, body: () => T): T => {
    Atomics.store(status, HostStatusLayout.i32.call, code);
    try {
      return body();
    } catch (error) {
      if (error instanceof CallFailed) throw error;
      if (error instanceof UsageError) throw new CallFailed({ kind: 'usage', message: error.message });
      throw new CallFailed({ kind: 'threw', message: `${text} threw ${describeError(error)}` });
    } finally {
      Atomics.store(status, HostStatusLayout.i32.call, HostCall.none);
    }
  };

  let definition: AllocatorDefinition;
  Atomics.store(status, HostStatusLayout.i32.call, HostCall.import);
  try {
    definition = await loadAllocator(data.ref);
  } catch (error) {
    send({ hello: 'failed', error: error instanceof UsageError ? { kind: 'usage', message: error.message } : { kind: 'threw', message: `importing the module threw ${describeError(error)}` } });
    return;
  } finally {
    Atomics.store(status, HostStatusLayout.i32.call, HostCall.none);
  }
  send({ hello: 'loaded', info: infoOf(definition) });

  let views: RunViews | undefined;
  let view: PageAllocator | undefined;
  const handle = (request: HostRequest): unknown => {
    switch (request.op) {
      case 'sharedBytes': {
        const { pages } = request;
        const bytes = call(HostCall.sharedBytes, `sharedBytes(${pages})`, () => definition.sharedBytes(pages) as unknown);
        const problem = checkSharedBytes(bytes, pages);
        if (problem) throw new CallFailed({ kind: 'returned', message: problem });
        return bytes;
      }
      case 'bind':
        views = new RunViews(request.buffer, request.layout, request.allocatorBuffer);
        view = undefined;
        return undefined;
      case 'prepare': {
        if (!views) throw new Error('prepare before bind');
        const region = views.allocatorRegion;
        const pages = views.layout.pages;
        call(HostCall.init, 'init()', () => definition.init(region, pages));
        // The host's own view, for audits and memory changes: it is used only while every thread is
        // parked (or before any has started), like the main thread's view it replaces.
        const attached = call(HostCall.attach, 'attach()', () => definition.attach(region, pages, request.threads) as unknown);
        view = checkAttached(attached, data.where);
        const offline = request.offline;
        if (offline) {
          const v = view;
          if (!v.addMemory || !v.removeMemory) {
            throw new CallFailed({ kind: 'usage', message: `allocator ${data.where} cannot add or remove memory (no addMemory/removeMemory), which scenario ${request.scenario} needs` });
          }
          const text = `removeMemory(${offline.first}, ${offline.count})`;
          const removed = call(HostCall.removeMemory, text, () => v.removeMemory!(offline.first, offline.count) as unknown);
          if (removed !== true) throw new CallFailed({ kind: 'returned', message: `${text} returned ${describeValue(removed)} right after init(), where every page is free` });
        }
        return undefined;
      }
      case 'audit': {
        if (!views || !view) throw new Error('audit before prepare');
        const v = view;
        const at = request.phase ? ` after ${request.phase}` : '';
        const audit = definition.audit;
        const watched: AllocatorDefinition = {
          ...definition,
          ...(audit
            ? {
                audit: (region, pages) => {
                  const lines = call(HostCall.audit, `audit()${at}`, () => audit.call(definition, region, pages) as unknown);
                  if (!Array.isArray(lines) || !lines.every((line) => typeof line === 'string')) {
                    throw new CallFailed({ kind: 'returned', message: `audit()${at} returned ${describeValue(lines)}, not an array of strings` });
                  }
                  return lines;
                },
              }
            : {}),
        };
        const watchedView: PageAllocator = {
          alloc: () => -1,
          free: () => {},
          isAllocated: (page) => {
            Atomics.store(status, HostStatusLayout.i32.callArg, page);
            return call(HostCall.isAllocated, `isAllocated(${page})${at}`, () => v.isAllocated(page));
          },
        };
        return auditAtQuiescence(watched, views.allocatorRegion, views.layout.pages, watchedView, request.checks ? views.ledger : undefined, request.phase);
      }
    }
  };

  port.on('message', (request: HostRequest) => {
    let reply: HostReply;
    try {
      reply = { id: request.id, ok: true, value: handle(request) };
    } catch (error) {
      if (error instanceof UsageError) reply = { id: request.id, ok: false, error: { kind: 'usage', message: error.message } };
      else if (error instanceof CallFailed) reply = { id: request.id, ok: false, error: error.error };
      else throw error;
    }
    send(reply);
  });
}

/** The definition's plain fields: what the main thread needs to plan a run, without its code. */
function infoOf(d: AllocatorDefinition): AllocatorInfo {
  return {
    name: d.name,
    locking: d.locking,
    maxRun: d.maxRun,
    ...(d.runSizes !== undefined ? { runSizes: d.runSizes } : {}),
    ...(d.growUnit !== undefined ? { growUnit: d.growUnit } : {}),
    ...(typeof d.description === 'string' ? { description: d.description } : {}),
    ...(typeof d.defect === 'string' ? { defect: d.defect } : {}),
  };
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message.split('\n')[0]}`;
  return describeValue(error);
}

/** A value as a message shows it: short, on one line, never throwing. */
export function describeValue(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean' || value === undefined || value === null || typeof value === 'bigint') return String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return `a ${typeof value}`;
}
