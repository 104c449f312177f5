/**
 * The main thread's handle on the user host: one worker per run (or per exploration) in which every
 * call of allocator code the main thread used to make runs instead (sharedBytes, init, attach,
 * removeMemory before a run, audit and isAllocated at quiescence), and where a module is first imported.
 * Each call has a deadline; past it the host is terminated and the call is reported by name. A throw, a
 * bad return and a host that dies (out of memory, an error thrown later from a timer) are reported the
 * same way, so allocator code can fail in any way without taking the harness down or hanging it.
 */
import { Worker } from 'node:worker_threads';
import type { AllocatorInfo, AllocatorRef } from '../alloc/load-allocator.ts';
import type { Violation } from '../check/violation.ts';
import { UsageError } from '../io/usage-error.ts';
import type { Phase } from '../scenario/schema.ts';
import type { Layout } from '../subjects/allocator/layout.ts';
import { type HostCommand, type HostData, type HostError, type HostHello, type HostReply, type HostRequest, HostCall, HostStatusLayout } from './user-host-protocol.ts';
import { START_GRACE_TEXT, startGraceMs } from './start-grace.ts';
import { heapLimitMb, outOfMemoryText, workerLimits } from './worker-limits.ts';

const hostFile = new URL('../../workers/host.mjs', import.meta.url);

/** Time a module's top level gets to run when it is imported. */
export const IMPORT_TIMEOUT_MS = 10_000;

/** A call of allocator code in the host that failed: the run reports it as a crash or a hang. */
export class UserCodeFailure extends Error {
  override readonly name = 'UserCodeFailure';
  constructor(
    readonly kind: 'crash' | 'hang',
    message: string,
  ) {
    super(message);
  }

  /** As a violation of the run: no thread did it, the main thread's host did. */
  violation(phase?: Phase): Violation {
    return { kind: this.kind, message: this.message, pages: [], threads: [], history: [], ...(phase ? { phase } : {}) };
  }
}

export interface HostOptions {
  /** How long one call may take: the scenario's watchdog. */
  timeoutMs: number;
  /** Workers started with the host, itself included, for its share of memory (workerLimits). */
  workers?: number;
  /** How long the module's top level may run when imported. */
  importTimeoutMs?: number;
}

export class UserHost {
  private nextId = 1;
  private pending: { id: number; resolve: (value: unknown) => void; reject: (error: Error) => void; timer: NodeJS.Timeout } | undefined;
  /** Why the host is gone, once it is: every later call fails with it. */
  private dead: Error | undefined;

  private constructor(
    private readonly worker: Worker,
    private readonly status: Int32Array,
    readonly info: AllocatorInfo,
    private readonly where: string,
    private readonly timeoutMs: number,
    private readonly heapMb: number,
  ) {
    worker.on('message', (message: HostReply) => this.settle(message));
    worker.on('error', (error) => this.fail(this.diedText(error)));
    worker.on('exit', (code) => this.fail(`the allocator's host exited (code ${code})${this.inFlightText()}`));
  }

  /**
   * Starts a host and imports the module in it. A module that cannot be imported, or whose top level
   * throws, does not finish in time or exhausts memory, is bad input: a UsageError naming it.
   */
  static async start(ref: AllocatorRef, where: string, options: HostOptions): Promise<UserHost> {
    const status = new Int32Array(new SharedArrayBuffer(HostStatusLayout.bytes));
    const workers = options.workers ?? 1;
    const data: HostData = { ref, where, status: status.buffer as SharedArrayBuffer };
    const worker = new Worker(hostFile, { workerData: data, resourceLimits: workerLimits(workers), stdout: false, stderr: false });
    // The host never keeps the process alive on its own: a pending call's timer does, while it waits.
    worker.unref();
    const heapMb = heapLimitMb(workers);
    const importMs = options.importTimeoutMs ?? IMPORT_TIMEOUT_MS;
    // The host loads tsx and the harness while the run's other workers do the same: it gets the start
    // grace of a pool that size. Missing it is no fault of the allocator's, but it stops the run the
    // way workers that do not start do: as a hang of the start.
    const bootMs = startGraceMs(workers);
    const info = await new Promise<AllocatorInfo>((resolve, reject) => {
      let timer = setTimeout(
        () => fail(new UserCodeFailure('hang', `the user host (the worker that runs the allocator's init and audits) did not start within ${seconds(bootMs)} (${START_GRACE_TEXT}, ${workers} workers starting): the machine is overloaded, or pagerace is stuck`)),
        bootMs,
      );
      const fail = (error: Error) => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        void worker.terminate();
        reject(error);
      };
      const onMessage = (hello: HostHello) => {
        if (hello.hello === 'booted') {
          clearTimeout(timer);
          timer = setTimeout(() => fail(new UsageError(`${where}: importing the module did not finish within ${seconds(importMs)} (an endless loop at its top level?)`)), importMs);
          return;
        }
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        if (hello.hello === 'loaded') resolve(hello.info);
        else {
          void worker.terminate();
          reject(hello.error.kind === 'usage' ? new UsageError(hello.error.message) : new UsageError(`${where}: ${hello.error.message}`));
        }
      };
      const onError = (error: unknown) => fail(new UsageError(`${where}: importing the module ${outOfMemoryText(error, heapMb) ?? `failed: ${firstLine(error)}`}`));
      const onExit = (code: number) => fail(new UsageError(`${where}: the module ended its thread while it was imported (exit code ${code})`));
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
    });
    return new UserHost(worker, status, info, where, options.timeoutMs, heapMb);
  }

  /** The validated `sharedBytes(pages)`; a bad answer is bad input (UsageError), found before the run. */
  async sharedBytes(pages: number): Promise<number> {
    try {
      return (await this.request({ op: 'sharedBytes', pages })) as number;
    } catch (error) {
      if (error instanceof UserCodeFailure) throw new UsageError(`${this.where}: ${error.message.replace(/^the allocator's /, '')}`);
      throw error;
    }
  }

  /** Gives the host the run's buffers, once per run (per session in controlled mode). */
  async bind(buffer: SharedArrayBuffer, layout: Layout, allocatorBuffer?: SharedArrayBuffer): Promise<void> {
    await this.request({ op: 'bind', buffer, layout, ...(allocatorBuffer ? { allocatorBuffer } : {}) });
  }

  /** init, attach, and the offline range taken out: the region ready for threads to attach. */
  async prepare(threads: number, scenario: string, offline?: { first: number; count: number }): Promise<void> {
    await this.request({ op: 'prepare', threads, scenario, ...(offline ? { offline } : {}) });
  }

  /** The audit at quiescence (check/audit.ts), run in the host over the shared buffer. */
  async audit(checks: boolean, phase?: Phase): Promise<Violation[]> {
    return (await this.request({ op: 'audit', checks, ...(phase ? { phase } : {}) }, phase ? ` after ${phase}` : '')) as Violation[];
  }

  async close(): Promise<void> {
    this.dead ??= new Error('the allocator host was closed');
    await this.worker.terminate();
  }

  /** `during` follows the call's name in a message: ` after fill` for an audit. */
  private request(body: HostCommand, during = ''): Promise<unknown> {
    if (this.dead) return Promise.reject(this.dead);
    if (this.pending) return Promise.reject(new Error('the allocator host is busy: one call at a time'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const call = this.inFlight() ?? body.op;
        this.fail(`the allocator's ${call}${during} did not return within ${seconds(this.timeoutMs)}`, 'hang');
      }, this.timeoutMs);
      this.pending = { id, resolve, reject, timer };
      this.worker.postMessage({ ...body, id } as HostRequest);
    });
  }

  private settle(reply: HostReply): void {
    const pending = this.pending;
    if (!pending || pending.id !== reply.id) return;
    this.pending = undefined;
    clearTimeout(pending.timer);
    if (reply.ok) pending.resolve(reply.value);
    else pending.reject(this.errorOf(reply.error));
  }

  private errorOf(error: HostError): Error {
    if (error.kind === 'usage') return new UsageError(error.message);
    return new UserCodeFailure('crash', `the allocator's ${error.message}`);
  }

  /** Ends the host for good: a pending call fails with `message`, and so does every later call. */
  private fail(message: string, kind: 'crash' | 'hang' = 'crash'): void {
    if (this.dead) return;
    const error = new UserCodeFailure(kind, message);
    this.dead = error;
    void this.worker.terminate();
    const pending = this.pending;
    this.pending = undefined;
    if (pending) {
      clearTimeout(pending.timer);
      pending.reject(error);
    }
  }

  private diedText(error: unknown): string {
    const oom = outOfMemoryText(error, this.heapMb);
    const during = this.inFlightText();
    return oom ? `the allocator${during ? `'s ${this.inFlight()}` : "'s host"} ${oom}` : `the allocator's host failed${during}: ${firstLine(error)}`;
  }

  private inFlightText(): string {
    const call = this.inFlight();
    return call ? ` during ${call}` : '';
  }

  /** The call of allocator code the host is inside, as a message names it, or undefined between calls. */
  private inFlight(): string | undefined {
    const code = Atomics.load(this.status, HostStatusLayout.i32.call);
    switch (code) {
      case HostCall.none:
        return undefined;
      case HostCall.isAllocated:
        return `isAllocated(${Atomics.load(this.status, HostStatusLayout.i32.callArg)})`;
      case HostCall.import:
        return 'module import';
      default:
        return `${Object.keys(HostCall).find((k) => HostCall[k as keyof typeof HostCall] === code)}()`;
    }
  }
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

function firstLine(error: unknown): string {
  return String((error as Error)?.message ?? error).split('\n')[0]!;
}
