/**
 * Runs a schedule's logical threads as coroutines on one worker thread. Each thread is a generator
 * (its stress thread's `run`, rewritten by the coroutine transform, down to the allocator's calls); it
 * yields where a worker would wait for its turn. The protocol with the coordinator is the workers'
 * (protocol.ts, intercept.ts): the same slots, the same batch written ahead, the same handoff by a
 * thread's `turn`, so a schedule is the same step for step on either engine, and a token replays on
 * both. Only the wait differs: the driver resumes whichever thread holds the turn, and when none does
 * (the batch went back to the coordinator) it waits on the batch header's doorbell.
 *
 * A park that cannot yield (reached through a getter, a constructor, a callback of native code: see
 * coroutine-transform.ts) waits on its own stack instead: the driver runs the other threads on top of
 * it until its turn comes. Such a thread cannot be resumed by anyone above it; a schedule that gives
 * the turn to a thread buried under another one's wait cannot be followed here (CannotFollow).
 */
import { RunAborted } from '../../harness/run-aborted.ts';
import { BatchHeaderLayout, SlotLayout, Turn } from '../protocol.ts';
import { newPlaces, usePlaces } from '../plain-access.ts';
import { CANNOT_FOLLOW } from '../engine.ts';

type Body = Generator<unknown, unknown, unknown>;

/**
 * A thread's code threw (not the coordinator's abort): the schedule, and the task, end with it. A
 * RunAborted, so that the harness's own catches (a stress thread turns what an allocator throws into a
 * crash violation) let it through when it passes up another thread's stack.
 */
export class ThreadFailed extends RunAborted {
  override readonly name = 'ThreadFailed';
  constructor(
    readonly thread: number,
    readonly error: unknown,
  ) {
    super(`thread ${thread}: ${String((error as Error)?.message ?? error).split('\n')[0]}`);
  }
}

/** The schedule needs a thread resumed that waits under another's stack (see the file's comment). */
export class CannotFollow extends RunAborted {
  override readonly name = 'CannotFollow';
}

export class CoroutineDriver {
  /** The thread whose code is running, or -1 between resumes. */
  current = -1;
  private bodies: Body[] = [];
  private readonly finished: boolean[];
  private readonly results: unknown[];
  /** Threads waiting on their own stack (a park that could not yield), below the running code. */
  private readonly onStack: boolean[];
  /** Each thread's compound-assignment places (plain-access.ts); the last is for no thread. */
  private readonly places: ReturnType<typeof newPlaces>[];

  constructor(
    private readonly slots: Int32Array[],
    private readonly header: Int32Array,
    /** Polls of the doorbell before sleeping: the coordinator usually answers within a few µs. */
    private readonly polls: number,
  ) {
    const n = slots.length;
    this.finished = new Array<boolean>(n).fill(true);
    this.results = new Array<unknown>(n);
    this.onStack = new Array<boolean>(n).fill(false);
    this.places = Array.from({ length: n + 1 }, newPlaces);
  }

  /** Runs one schedule, `bodies[t]` being thread t's; returns what each body returned. */
  run(bodies: Body[]): unknown[] {
    this.bodies = bodies;
    this.finished.fill(false);
    this.results.fill(undefined);
    // A thread the last schedule ended between a compound assignment's read and its write left its place.
    for (const p of this.places) {
      p.objects.length = p.keys.length = p.olds.length = 0;
      p.depth = 0;
    }
    this.driveUntil(-1);
    return [...this.results];
  }

  /**
   * Thread `t` parked where it cannot yield: runs the others on this stack until its turn comes (or the
   * coordinator ends the run), then returns to it.
   */
  waitOnStack(t: number): void {
    this.onStack[t] = true;
    try {
      this.driveUntil(t);
    } finally {
      this.onStack[t] = false;
      this.current = t;
      usePlaces(this.places[t]!);
    }
  }

  /** Resumes threads until `me`'s turn is no longer parked (or, with -1, until every thread ended). */
  private driveUntil(me: number): void {
    const n = this.slots.length;
    for (;;) {
      if (me >= 0 ? Atomics.load(this.slots[me]!, SlotLayout.i32.turn) !== Turn.parked : this.finished.every(Boolean)) return;
      // Read before looking, so that a grant made after the look rings a different value.
      const bell = Atomics.load(this.header, BatchHeaderLayout.i32.doorbell);
      let next = -1;
      for (let t = 0; t < n; t++) {
        if (t === me || this.finished[t] || Atomics.load(this.slots[t]!, SlotLayout.i32.turn) === Turn.parked) continue;
        if (this.onStack[t]) {
          throw new CannotFollow(
            `${CANNOT_FOLLOW}: thread ${t} has the turn but waits inside a call that cannot suspend (a getter, a constructor or a callback of native code) under thread ${me}'s; run it with --engine workers`,
          );
        }
        next = t;
        break;
      }
      if (next >= 0) this.resume(next);
      else this.sleep(bell);
    }
  }

  private resume(t: number): void {
    const previous = this.current;
    this.current = t;
    usePlaces(this.places[t]!);
    let r: IteratorResult<unknown, unknown>;
    try {
      r = this.bodies[t]!.next();
    } catch (error) {
      this.finished[t] = true;
      if (error instanceof CannotFollow || error instanceof ThreadFailed) throw error;
      throw new ThreadFailed(t, error);
    } finally {
      this.current = previous;
      usePlaces(this.places[previous < 0 ? this.slots.length : previous]!);
    }
    if (r.done) {
      this.finished[t] = true;
      this.results[t] = r.value;
    }
  }

  /** Waits for the coordinator to ring after `bell`: polls first, then sleeps in slices. */
  private sleep(bell: number): void {
    const i32 = BatchHeaderLayout.i32.doorbell;
    for (let i = 0; i < this.polls; i++) if (Atomics.load(this.header, i32) !== bell) return;
    Atomics.wait(this.header, i32, bell, 1000);
  }
}
