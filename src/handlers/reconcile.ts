/**
 * Automatic recovery: a sweep on start and every RECONCILE_INTERVAL_SECONDS, by one replica at a
 * time (a lease when replicas share Redis). GitHub does not redeliver failed webhooks, and a
 * delivery answered but not processed leaves no trace on GitHub's side, so a sweep:
 *   1. lists the app's webhook deliveries attempted since the last sweep (as the App, cursor paging);
 *   2. in each repository that had a delivery: records merged PRs missing from the trail (the
 *      backfill logic, from the last sweep on) and evaluates open PRs updated since then whose head
 *      has no `countersign` check run from this app;
 *   3. completes merge records written incomplete while GitHub could not be read;
 *   4. asks GitHub to redeliver each delivery whose attempts all failed, once per GUID ever.
 * Steps 2-3 come before 4 so that a redelivery arrives after the sweep's own writes and finds them.
 * A sweep that finishes after one that did not (GitHub was failing) also makes the inbox's
 * deliveries waiting for a retry due now, instead of at their backoff time (up to half an hour).
 * Its cost when nothing happened is one call (the delivery list); see docs/operations.md.
 */
import type { Logger, Probot } from "probot";
import type { MergeRecord, ReconcileState } from "../audit/audit-store.js";
import type { Lease } from "../cluster/leases.js";
import { backfillRepository } from "./backfill.js";
import type { GitHub } from "../github/github.js";
import { activeRepositories, chooseRedeliveries, listDeliveriesSince, probeApp, requestRedelivery } from "../github/hook-deliveries.js";
import { getPull } from "../github/pulls.js";
import { installationIdOf, needsEvaluation, openPullsUpdatedSince, repositoryName } from "../github/recovery-reads.js";
import { evaluatePullRequest, type PipelineDeps } from "./evaluate-pull-request.js";
import { completeMerge } from "./incomplete-merge.js";

export interface ReconcilerOptions {
  /** Between sweeps; 0: no timer (`runSweep` still works). */
  intervalMs: number;
  /** How far back the first sweep of a new trail looks (default 24 h; older history: `countersign backfill`). */
  firstLookbackMs?: number;
  /** Re-read this much before the last sweep's start (clock skew; repeats are idempotent). Default 60 s. */
  overlapMs?: number;
  /**
   * Delay of the first sweep when `start()` is not called, so the webhook server is listening when
   * redeliveries arrive (default 10 s). `main` calls `start()` once the server listens.
   */
  startDelayMs?: number;
  /** Called after inbox retries were made due (main: wakes the inbox worker rather than wait for its poll). */
  onRetriesDue?: () => void;
}

export interface SweepResult {
  startedAt: string;
  finishedAt: string;
  /** "ok", "partial" (some repositories or completions failed: the window is kept), "failed", or "skipped". */
  outcome: "ok" | "partial" | "failed" | "skipped";
  deliveriesRead: number;
  repositories: number;
  mergesRecorded: number;
  checksEvaluated: number;
  mergesCompleted: number;
  incompleteLeft: number;
  redeliveries: number;
  /** Inbox deliveries waiting for a retry made due now (GitHub answering again after a sweep that could not finish). */
  retriesExpedited: number;
  errors: string[];
}

export interface Reconciler {
  /** Called by createApp with the Probot instance and the pipeline's dependencies. */
  attach(app: Probot, deps: PipelineDeps): void;
  /** Runs the first sweep now and then every interval (once the webhook server listens); idempotent. */
  start(): void;
  runSweep(): Promise<SweepResult>;
  /**
   * Something that was failing (GitHub, the store, Redis) answers again (./outage-watch.ts): the
   * inbox's deliveries waiting for a retry are made due now, and a sweep runs now (after the one in
   * flight, if any), not at the next interval.
   */
  dependencyRecovered(dependency: string): void;
  /** One cheap read as the App (`GET /app`): whether GitHub answers (the outage watch's probe). */
  probeGitHub(): Promise<void>;
  stop(): void;
  readonly intervalMs: number;
  readonly last: SweepResult | null;
  readonly running: boolean;
}

const REDELIVERED_KEPT = 1000;
/** A recovery starts this long after the first sign of it, so the signals of one recovery make one sweep. */
const RECOVERY_SETTLE_MS = 500;
/** At most one recovery sweep this often, however often a flapping dependency recovers. */
const RECOVERY_SWEEP_GAP_MS = 5_000;
/** A sweep that found another replica sweeping (the lease taken) is tried again this often, this many times. */
const SKIPPED_RETRY_MS = 2_000;
const SKIPPED_RETRIES = 8;
/** After a recovery, waiting retries are made due once more this much later (attempts that were in flight). */
const STRAGGLERS_MS = 5_000;
const SWEEP_LEASE = "reconcile:sweep";
/** The sweep lease's term; renewed every third of it while a sweep runs. */
const SWEEP_LEASE_MS = 15_000;

export function createReconciler(options: ReconcilerOptions): Reconciler {
  let app: Probot | null = null;
  let deps: PipelineDeps | null = null;
  let last: SweepResult | null = null;
  let inFlight: Promise<SweepRun> | null = null;
  const timers: NodeJS.Timeout[] = [];

  // PRs whose check a sweep is evaluating (whether it got written): a later sweep waits for them
  // rather than start them again.
  const evaluating = new Map<string, Promise<boolean>>();
  const runSweep = (): Promise<SweepResult> => {
    if (!app || !deps) return Promise.reject(new Error("the reconciler is not attached to the app yet"));
    // One scan per process at a time (a caller during a scan joins it). The checks a scan found to
    // write are not part of it: they wait on GitHub's write spacing, and a scan that waited for them
    // kept the next one from finding what was missed meanwhile. The result comes once they are done.
    inFlight ??= sweep(app, deps, options, evaluating).then(
      (run) => {
        inFlight = null;
        return run;
      },
      (error: unknown) => {
        inFlight = null;
        throw error;
      },
    );
    return inFlight.then(async (run) => {
      const evaluated = await run.evaluations;
      const outcome = evaluated.errors.length > 0 && run.result.outcome === "ok" ? "partial" : run.result.outcome;
      const result = {
        ...run.result,
        outcome,
        checksEvaluated: evaluated.count,
        errors: [...run.result.errors, ...evaluated.errors],
        finishedAt: new Date(deps!.now()).toISOString(),
      };
      last = result;
      app!.log.child({ name: "reconcile" }).info(result, "recovery sweep done");
      return result;
    });
  };

  let started = false;
  let stopped = false;
  // A sweep wanted now (the first one, a recovery) that found another replica sweeping is tried
  // again shortly: the other replica's sweep may have listed GitHub's deliveries before this
  // replica's failed ones, or begun while the dependency was still failing.
  const sweepSoon = (why: string, retriesLeft = SKIPPED_RETRIES): void => {
    const log = app!.log.child({ name: "reconcile" });
    void runSweep().then(
      (result) => {
        if (result.outcome !== "skipped" || retriesLeft <= 0 || stopped) return;
        const again = setTimeout(() => sweepSoon(why, retriesLeft - 1), SKIPPED_RETRY_MS);
        again.unref();
        timers.push(again);
      },
      (error: unknown) => log.error({ err: error }, `recovery sweep (${why}) failed`),
    );
  };
  const start = () => {
    if (started || !app || options.intervalMs <= 0) return;
    started = true;
    for (const t of timers.splice(0)) clearTimeout(t);
    const log = app.log;
    sweepSoon("start");
    const every = setInterval(
      () => void runSweep().catch((error: unknown) => log.error({ err: error }, "recovery sweep failed")),
      options.intervalMs,
    );
    every.unref();
    timers.push(every);
  };

  let recovery: NodeJS.Timeout | null = null;
  let lastRecovery = 0;
  const recovered = new Set<string>();
  const dependencyRecovered = (dependency: string) => {
    if (!app || !deps || stopped) return;
    recovered.add(dependency);
    if (recovery) return; // one recovery is about to start: it covers this one too
    const wait = Math.max(RECOVERY_SETTLE_MS, lastRecovery + RECOVERY_SWEEP_GAP_MS - Date.now());
    recovery = setTimeout(() => {
      recovery = null;
      lastRecovery = Date.now();
      const what = [...recovered].join(", ");
      recovered.clear();
      void recover(what);
    }, wait);
    recovery.unref();
  };
  const retriesDueNow = async (): Promise<number> => {
    try {
      const due = await deps!.store.inbox().retryWaiting(new Date(deps!.now()));
      if (due > 0) options.onRetriesDue?.();
      return due;
    } catch (error) {
      const log = app!.log.child({ name: "reconcile" });
      log.warn({ err: error }, "could not make the inbox's waiting retries due (they run at their backoff time)");
      return 0;
    }
  };
  const recover = async (what: string) => {
    const log = app!.log.child({ name: "reconcile" });
    const due = await retriesDueNow();
    // Attempts in flight when the dependency came back may still fail on what they read before
    // (their retries straddled the end): once more a little later, for those.
    const stragglers = setTimeout(() => void retriesDueNow(), STRAGGLERS_MS);
    stragglers.unref();
    timers.push(stragglers);
    log.info({ recovered: what, retriesDue: due }, `${what} answering again: waiting inbox retries are due now; sweeping now`);
    if (options.intervalMs <= 0 || stopped) return; // RECONCILE_INTERVAL_SECONDS=0: no sweeps
    // A scan in flight began while the dependency failed: this sweep follows it.
    await inFlight?.catch(() => {});
    sweepSoon(`${what} recovered`);
  };

  return {
    intervalMs: options.intervalMs,
    get last() {
      return last;
    },
    get running() {
      return inFlight !== null;
    },
    attach(probot, pipelineDeps) {
      app = probot;
      deps = pipelineDeps;
      if (options.intervalMs <= 0) return;
      const delayed = setTimeout(start, options.startDelayMs ?? 10_000);
      delayed.unref();
      timers.push(delayed);
    },
    start,
    runSweep,
    dependencyRecovered,
    async probeGitHub() {
      if (!app) throw new Error("the reconciler is not attached to the app yet");
      await probeApp((await app.auth()) as unknown as GitHub);
    },
    stop() {
      started = true; // no start after a stop
      stopped = true;
      for (const t of timers.splice(0)) clearTimeout(t);
      if (recovery) clearTimeout(recovery);
      recovery = null;
    },
  };
}

/** `/healthz`'s view of the recovery sweep. */
export function reconcileHealth(reconciler: Reconciler | null): object {
  if (!reconciler) return { enabled: false };
  const last = reconciler.last;
  return {
    enabled: reconciler.intervalMs > 0,
    intervalSeconds: Math.round(reconciler.intervalMs / 1000),
    running: reconciler.running,
    lastSweep: last && {
      at: last.finishedAt,
      outcome: last.outcome,
      redeliveries: last.redeliveries,
      mergesRecorded: last.mergesRecorded,
      checksEvaluated: last.checksEvaluated,
      mergesCompleted: last.mergesCompleted,
      incompleteLeft: last.incompleteLeft,
      retriesExpedited: last.retriesExpedited,
      errors: last.errors.length,
    },
  };
}

interface SweepRun {
  result: SweepResult;
  /** The checks the scan started: how many were written, and what failed. */
  evaluations: Promise<{ count: number; errors: string[] }>;
}

const NOTHING_EVALUATED = Promise.resolve({ count: 0, errors: [] as string[] });

async function sweep(
  app: Probot,
  deps: PipelineDeps,
  options: ReconcilerOptions,
  evaluating: Map<string, Promise<boolean>>,
): Promise<SweepRun> {
  const log = app.log.child({ name: "reconcile" });
  const started = deps.now();
  const result: SweepResult = {
    startedAt: new Date(started).toISOString(),
    finishedAt: "",
    outcome: "ok",
    deliveriesRead: 0,
    repositories: 0,
    mergesRecorded: 0,
    checksEvaluated: 0,
    mergesCompleted: 0,
    incompleteLeft: 0,
    redeliveries: 0,
    retriesExpedited: 0,
    errors: [],
  };
  let evaluations = NOTHING_EVALUATED;
  const done = (outcome: SweepResult["outcome"]): SweepRun => ({
    result: { ...result, outcome, finishedAt: new Date(deps.now()).toISOString() },
    evaluations,
  });

  const lease = await takeSweepLease(deps, log);
  if (lease === "taken") return done("skipped");
  // Renewed while the sweep runs, so a replica killed mid-sweep holds up the others' sweeps for one
  // lease term at most, not for a whole interval.
  const renewal = lease === "none" ? null : setInterval(() => void lease.renew().catch(() => {}), SWEEP_LEASE_MS / 3);
  renewal?.unref();
  let state: ReconcileState | null = null;
  try {
    state = await deps.store.readReconcileState();
    const since = state
      ? Date.parse(state.lastSweepStartedAt) - (options.overlapMs ?? 60_000)
      : started - (options.firstLookbackMs ?? 24 * 3600_000);
    const appOctokit = (await app.auth()) as unknown as GitHub;
    const listed = await listDeliveriesSince(appOctokit, { since, afterId: state?.lastDeliveryId ?? null });
    result.deliveriesRead = listed.deliveries.length;
    if (listed.truncated) result.errors.push("more deliveries than one sweep reads: the rest waits for the next sweep");
    // GitHub answers again after a sweep that could not finish: what failed meanwhile can succeed
    // now, not at its backoff time (possibly half an hour away). First, so those retries run beside
    // the rest of the sweep.
    if (state?.lastOutcome !== undefined && state.lastOutcome !== "ok") {
      await guarded(result, log, "expediting inbox retries", async () => {
        result.retriesExpedited = await deps.store.inbox().retryWaiting(new Date(deps.now()));
      });
    }

    // Repositories are scanned a few at a time. In each, the open PRs that need a check are found
    // first and their evaluations started at once (not waited for: see runSweep), since their
    // writes queue one a second; missed merges are recorded meanwhile (reads only), then incomplete
    // merges completed (reads), then redeliveries requested (first in the write queue).
    const toEvaluate: PullToEvaluate[] = [];
    const checksStarted: Promise<{ count: number; errors: string[] }>[] = [];
    const repositories = [...activeRepositories(listed.deliveries)].flatMap(([installationId, repoIds]) =>
      [...repoIds].map((repositoryId) => ({ installationId, repositoryId })),
    );
    await forEachConcurrently(repositories, SWEEP_REPOSITORIES_AT_ONCE, async ({ installationId, repositoryId }) => {
      result.repositories++;
      await guarded(result, log, `repository ${repositoryId}`, async () => {
        const github = await installationOctokit(app, deps, installationId);
        await scanRepository(github, log, deps, repositoryId, since, result, (found) => {
          toEvaluate.push(...found);
          checksStarted.push(evaluateAll(found, evaluating, log, deps));
        });
      });
    });
    const checks = Promise.all(checksStarted).then((all) => ({
      count: sum(all.map((e) => e.count)),
      errors: all.flatMap((e) => e.errors),
    }));
    evaluations = checks;
    await completeIncomplete(app, appOctokit, log, deps, result);

    const asked = new Set(state?.redelivered ?? []);
    const redelivered = [...(state?.redelivered ?? [])];
    for (const d of chooseRedeliveries(listed.deliveries, asked)) {
      await guarded(result, log, `redelivery of ${d.guid}`, async () => {
        await requestRedelivery(appOctokit, d.id);
        redelivered.push(d.guid);
        result.redeliveries++;
      });
    }
    const complete = result.errors.length === 0 && !listed.truncated;
    const outcome = complete ? "ok" : "partial";
    // A sweep that could not finish keeps its window: the next one reads from the same point. One
    // that started checks moves it on only once they are all written, so a crash (or a failed check)
    // meanwhile leaves the next sweep to find those PRs again.
    const previous: SweepWindow = {
      lastSweepStartedAt: state?.lastSweepStartedAt ?? new Date(since).toISOString(),
      lastDeliveryId: state?.lastDeliveryId ?? null,
    };
    const reached: SweepWindow = {
      lastSweepStartedAt: result.startedAt,
      lastDeliveryId: listed.deliveries[0]?.id ?? previous.lastDeliveryId,
    };
    const moveOnNow = complete && toEvaluate.length === 0;
    await deps.store.writeReconcileState({
      ...(moveOnNow ? reached : previous),
      redelivered: redelivered.slice(-REDELIVERED_KEPT),
      lastOutcome: outcome,
    });
    if (complete && !moveOnNow) {
      evaluations = checks.then(async (evaluated) => {
        if (evaluated.errors.length === 0) await moveWindowOn(deps, reached).catch(() => {});
        return evaluated;
      });
    }
    log.info({ ...result, outcome }, "recovery sweep: scan done; the checks it started follow");
    return done(outcome);
  } catch (error) {
    result.errors.push(error instanceof Error ? error.message : String(error));
    log.error({ err: error }, "recovery sweep failed: the next one retries from the same point");
    // Remembered so that the next sweep that finishes knows GitHub (or the store) is back; best effort.
    if (state) await deps.store.writeReconcileState({ ...state, lastOutcome: "failed" }).catch(() => {});
    return done("failed");
  } finally {
    if (renewal) clearInterval(renewal);
    if (lease !== "none") await lease.release().catch(() => {});
  }
}

/**
 * The sweep's lease across replicas: "none" without Redis (or when it is unreachable: sweep anyway),
 * "taken" when another replica sweeps.
 */
async function takeSweepLease(deps: PipelineDeps, log: Logger): Promise<Lease | "none" | "taken"> {
  if (!deps.leases) return "none";
  try {
    const lease = await deps.leases.tryAcquire(SWEEP_LEASE, SWEEP_LEASE_MS);
    return lease ?? "taken";
  } catch (error) {
    log.warn({ err: error }, "could not take the sweep lease (is Redis reachable?): sweeping anyway (every step is idempotent)");
    return "none";
  }
}

/** An installation's Octokit, re-reading through the ETag cache like the webhook handlers' ones. */
async function installationOctokit(app: Probot, deps: PipelineDeps, installationId: number): Promise<GitHub> {
  const github = (await app.auth(installationId)) as unknown as GitHub;
  deps.caches.conditionalReads.attach(github);
  return github;
}

/** Runs one step of a sweep; a failure is noted in `result.errors` and logged, and the sweep goes on. */
async function guarded(result: { errors: string[] }, log: Logger, what: string, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    const message = `${what}: ${error instanceof Error ? error.message : String(error)}`;
    result.errors.push(message);
    log.warn({ err: error }, `recovery sweep: ${what} failed`);
  }
}

interface PullToEvaluate {
  github: GitHub;
  owner: string;
  repo: string;
  number: number;
  /** repo#number@head: one sweep evaluation at a time per PR head. */
  key: string;
}

/**
 * How many PRs the sweep evaluates at once (their writes queue one a second either way; as many as
 * the inbox processes, so every PR's check run is queued before the first PR's owner label).
 */
const SWEEP_EVALUATIONS_AT_ONCE = 16;

/** Repositories a sweep scans at once (reads only; GitHub's concurrency limit still applies). */
const SWEEP_REPOSITORIES_AT_ONCE = 4;

const sum = (ns: number[]) => ns.reduce((a, b) => a + b, 0);

/**
 * Hands the repository's open PRs that still need a check to `evaluate` (which starts them), then
 * records its missed merges.
 */
async function scanRepository(
  github: GitHub,
  log: Logger,
  deps: PipelineDeps,
  repositoryId: number,
  since: number,
  result: SweepResult,
  evaluate: (prs: PullToEvaluate[]) => void,
): Promise<void> {
  const { owner, repo } = await repositoryName(github, repositoryId);
  const found: PullToEvaluate[] = [];
  for (const pr of await openPullsUpdatedSince(github, owner, repo, since)) {
    if (await needsEvaluation(github, { owner, repo, headSha: pr.head.sha, appId: deps.appId })) {
      found.push({ github, owner, repo, number: pr.number, key: `${owner}/${repo}#${pr.number}@${pr.head.sha}`.toLowerCase() });
    }
  }
  if (found.length > 0) evaluate(found);
  const backfill = await backfillRepository(github, log, deps, { owner, repo, since: new Date(since).toISOString() });
  result.mergesRecorded += backfill.recorded;
  for (const e of backfill.errors) result.errors.push(`${owner}/${repo}${e}`);
}

/**
 * Evaluates the PRs a scan listed, up to SWEEP_EVALUATIONS_AT_ONCE at once. A PR an earlier sweep
 * is still evaluating is not started again, but waited for: this sweep's window moves on only once
 * every check it found missing is written.
 */
async function evaluateAll(
  prs: PullToEvaluate[],
  evaluating: Map<string, Promise<boolean>>,
  log: Logger,
  deps: PipelineDeps,
): Promise<{ count: number; errors: string[] }> {
  const outcome = { count: 0, errors: [] as string[] };
  const theirs = prs.flatMap((pr) => evaluating.get(pr.key) ?? []);
  const mine = prs.filter((pr) => !evaluating.has(pr.key));
  const settle = new Map<string, (written: boolean) => void>();
  for (const pr of mine) evaluating.set(pr.key, new Promise<boolean>((resolve) => settle.set(pr.key, resolve)));
  await forEachConcurrently(mine, SWEEP_EVALUATIONS_AT_ONCE, async (pr) => {
    const failedBefore = outcome.errors.length;
    await guarded(outcome, log, `evaluating ${pr.owner}/${pr.repo}#${pr.number}`, async () => {
      const full = await getPull(pr.github, pr.owner, pr.repo, pr.number);
      // The owner label and review request run behind the checks rather than hold this one up.
      await evaluatePullRequest(pr.github, log, deps, { pr: full, event: "reconcile", deliveryId: null, sideEffects: "background" });
      outcome.count++;
    });
    evaluating.delete(pr.key);
    settle.get(pr.key)!(outcome.errors.length === failedBefore);
  });
  const written = await Promise.all(theirs);
  if (written.includes(false)) outcome.errors.push("a check an earlier sweep was writing failed; the next sweep looks again");
  return outcome;
}

interface SweepWindow {
  lastSweepStartedAt: string;
  lastDeliveryId: number | null;
}

/** Moves the stored sweep window on to `reached`, unless a later sweep already moved it further. */
async function moveWindowOn(deps: PipelineDeps, reached: SweepWindow): Promise<void> {
  const current = await deps.store.readReconcileState();
  if (!current || Date.parse(current.lastSweepStartedAt) >= Date.parse(reached.lastSweepStartedAt)) return;
  await deps.store.writeReconcileState({ ...current, ...reached });
}

async function forEachConcurrently<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

async function completeIncomplete(app: Probot, appOctokit: GitHub, log: Logger, deps: PipelineDeps, result: SweepResult): Promise<void> {
  const incomplete = await deps.store.listIncompleteMerges();
  const byRepo = new Map<string, MergeRecord[]>();
  for (const m of incomplete) byRepo.set(m.repo, [...(byRepo.get(m.repo) ?? []), m]);
  for (const [fullName, merges] of byRepo) {
    await guarded(result, log, `completing merges in ${fullName}`, async () => {
      const [owner, repo] = fullName.split("/") as [string, string];
      const github = await installationOctokit(app, deps, await installationIdOf(appOctokit, owner, repo));
      for (const m of merges) {
        if (await completeMerge(github, log, deps, m)) result.mergesCompleted++;
      }
    });
  }
  result.incompleteLeft = (await deps.store.listIncompleteMerges()).length;
}
