/**
 * Notices when something the app depends on (GitHub's reads or writes, the audit store, Redis)
 * answers again after failing, so that recovery starts then: the inbox's deliveries waiting for a
 * retry are made due and a recovery sweep runs (Reconciler.dependencyRecovered). Without it a
 * delivery that failed during an outage waits for its backoff (15 s, 45 s, 2¼ min…), and a webhook
 * GitHub could not deliver waits for the next timed sweep (RECONCILE_INTERVAL_SECONDS, 5 min by
 * default).
 *
 * A dependency is a name. `failed(name)` marks it down; the next `succeeded(name)` ends the outage
 * and calls `onRecovered` once. A success while nothing is down is free, so callers report every
 * answer. A failure can name what failed (`what`: for GitHub, the route): such a dependency is down
 * only once two different things failed with no success in between. One route failing for good
 * (a PR whose files GitHub cannot list) while the rest answers is not an outage: every answer
 * would "end" it, and each end would make every waiting retry due and sweep again.
 */
import type { GitHubOutageSignals } from "../github/octokit.js";

export type OutageSignals = GitHubOutageSignals;

/** How often a dependency that is down is probed (when it has a probe). */
export const PROBE_EVERY_MS = 5_000;

export class OutageWatch implements OutageSignals {
  readonly #downSince = new Map<string, number>();
  /** What failed since the dependency last answered, while that is not yet an outage. */
  readonly #suspect = new Map<string, { since: number; what: Set<string> }>();
  readonly #probes = new Map<string, () => Promise<unknown>>();
  readonly #probing = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly onRecovered: (dependency: string, downMs: number) => void,
    private readonly options: { now?: () => number; probeEveryMs?: number } = {},
  ) {}

  /**
   * While `dependency` is down, `probe` runs every PROBE_EVERY_MS; when it resolves, the outage is
   * over. For a dependency nothing else may call for a while once it fails: GitHub, when no webhook
   * arrives and the next retry or timed sweep is minutes away. (The store is polled by the inbox
   * every few seconds, and Redis's client reconnects by itself and says so.)
   */
  probe(dependency: string, probe: () => Promise<unknown>): void {
    this.#probes.set(dependency, probe);
  }

  failed(dependency: string, what?: string): void {
    if (this.#downSince.has(dependency)) return;
    let since = this.#now();
    if (what !== undefined) {
      const suspect = this.#suspect.get(dependency) ?? { since, what: new Set<string>() };
      suspect.what.add(what);
      this.#suspect.set(dependency, suspect);
      if (suspect.what.size < 2) return;
      since = suspect.since;
      this.#suspect.delete(dependency);
    }
    this.#downSince.set(dependency, since);
    const probe = this.#probes.get(dependency);
    if (!probe) return;
    const timer = setInterval(() => {
      probe().then(
        () => this.succeeded(dependency),
        () => {},
      );
    }, this.options.probeEveryMs ?? PROBE_EVERY_MS);
    timer.unref();
    this.#probing.set(dependency, timer);
  }

  succeeded(dependency: string): void {
    this.#suspect.delete(dependency);
    const since = this.#downSince.get(dependency);
    if (since === undefined) return;
    this.#downSince.delete(dependency);
    clearInterval(this.#probing.get(dependency));
    this.#probing.delete(dependency);
    this.onRecovered(dependency, this.#now() - since);
  }

  /** Stops probing (the process is stopping). */
  stop(): void {
    for (const timer of this.#probing.values()) clearInterval(timer);
    this.#probing.clear();
  }

  #now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** What is failing now, with when it started (for /healthz). */
  down(): { dependency: string; since: string }[] {
    return [...this.#downSince].map(([dependency, since]) => ({ dependency, since: new Date(since).toISOString() }));
  }
}
