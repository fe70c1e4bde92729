/**
 * Coalesces bursts of work for the same key: while a run is in flight, later requests do not
 * start their own; the most recent one runs once when the current run ends, and every request
 * that was folded into it resolves with that trailing run's result. A burst of N events for one
 * PR head thus costs at most two evaluations instead of N, and the last one always sees the
 * newest data, so nothing is lost.
 */
interface Slot<Req, Res> {
  running: Promise<Res>;
  next: { req: Req; promise: Promise<Res>; resolve: (r: Res) => void; reject: (e: unknown) => void } | null;
}

export class Coalescer<Req, Res> {
  readonly #slots = new Map<string, Slot<Req, Res>>();

  constructor(private readonly run: (req: Req) => Promise<Res>) {}

  submit(key: string, req: Req): Promise<Res> {
    const slot = this.#slots.get(key);
    if (!slot) return this.#start(key, req);
    if (slot.next) {
      slot.next.req = req; // the newest request replaces the queued one; both resolve with it
      return slot.next.promise;
    }
    let resolve!: (r: Res) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<Res>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    slot.next = { req, promise, resolve, reject };
    return promise;
  }

  /** Keys with a run in flight (for tests and metrics). */
  get inFlight(): number {
    return this.#slots.size;
  }

  #start(key: string, req: Req): Promise<Res> {
    const running = this.run(req).finally(() => {
      const slot = this.#slots.get(key);
      const next = slot?.next ?? null;
      this.#slots.delete(key);
      if (next) this.#start(key, next.req).then(next.resolve, next.reject);
    });
    this.#slots.set(key, { running, next: null });
    return running;
  }
}
