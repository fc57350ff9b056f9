import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino, type Logger } from 'pino';
import { openLogFile } from './log-file.js';
import { createProvider, targetKind } from '../providers/index.js';
import { lazyDecryptingFs, loadFingerprintKey, readMaybeEncrypted, SecretRegistry } from '../secrets/index.js';
import {
  autoRollback,
  holdFailedDigests,
  dora,
  HostedRequests,
  noticeLanding,
  notifyingStore,
  observeCommits,
  tellUnapproved,
  tellVerificationFailed,
  pendingRequestsOf,
  pollRequests,
  PromotionService,
  settleHostedRequest,
  type Notify,
  type RequestBackend,
  type RequestPoller,
} from '../promote/index.js';
import { Controller, gitRevisionSource } from '../reconcile/index.js';
import { LeaderLease, soleLeadership, type Leadership } from '../reconcile/leader.js';
import { leaseTiming } from '../reconcile/lease-timing.js';
import { ScopeLeases, SoleOwnership } from '../reconcile/scope-leases.js';
import { hostname } from 'node:os';
import { buildApp, SluiceMetrics } from '../server/index.js';
import { ADMIN_TOKEN_FILE, isLoopback, removeAdminToken, writeAdminToken } from '../server/auth/admin-token.js';
import { requireAuthConfigured } from '../server/auth/startup.js';
import { hashToken } from '../server/auth/tokens.js';
import type { RateLimit } from '../server/limits.js';
import { OidcLogin } from '../server/auth/oidc.js';
import type { OidcSettings } from '../server/auth/oidc-settings.js';
import { issueSession } from '../server/auth/session.js';
import {
  containerRoutes,
  holdRoutes,
  ledgerRoutes,
  oidcRoutes,
  promotionRoutes,
  signInOptionsRoute,
  webhookRoutes,
} from '../server/routes/index.js';
import { Source } from '../source/index.js';
import { maskedStore, openStore } from '../store/index.js';
import { NotificationRelay } from './notifications.js';
import type { SyncRecord } from '../store/types.js';

export interface RuntimeOptions {
  /** Config repo: a local path or a remote URL. */
  repo: string;
  branch?: string;
  dataDir: string;
  /** Where the store is (see openStore); SQLite in the data directory when unset. */
  store?: string;
  /** Dashboard single sign-on through an OIDC provider (docs/sso.md). */
  oidc?: OidcSettings;
  /** This controller's name among several sharing one store. */
  instance?: string;
  /** On a shared store, the lease period: a dead replica's scopes are synced by the others within it (default 15 s). */
  leaseDurationMs?: number;
  port: number;
  host: string;
  /** The dashboard's address as people reach it (behind a proxy, a public name); links in notifications use it. */
  externalUrl?: string;
  log?: Logger;
  /** How often remotes are fetched. */
  pollIntervalMs?: number;
  onSyncFinished?: (r: SyncRecord) => void;
  /** Each new revision of the followed branch, once, whoever wrote it. */
  onRevision?: (revision: string, branch: string) => void;
  /** Delivers notifications (sync.failed, drift.detected, promotion.awaiting-approval, promoted, rolled-back). */
  notify?: Notify;
  /** Where promotion requests live; Sluice's store when not given. */
  requests?: RequestBackend;
  /** Mutating API requests per credential and window. */
  rateLimit?: RateLimit;
}

export interface Runtime {
  url: string;
  /** Where a loopback server wrote its admin token. */
  adminTokenFile?: string;
  controller: Controller;
  log: Logger;
  stop(options: { stopWorkloads: boolean }): Promise<void>;
}

const here = dirname(fileURLToPath(import.meta.url));
/** dist/ui next to dist/cli in a build; the same relative place when run from sources. */
const UI_DIR = resolve(here, '..', 'ui');

function isRemote(repo: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(repo) || /^[^/]+@[^:]+:/.test(repo);
}

/** Assembles and starts everything `sluice serve` runs: store, source, providers, controller, HTTP server. */
export async function startRuntime(o: RuntimeOptions): Promise<Runtime> {
  mkdirSync(o.dataDir, { recursive: true });
  // Every value decrypted from the config repo is learnt here and replaced by its fingerprint at
  // each output boundary: the log, the store, the API, notifications and provider state. The
  // key is kept in the data dir so fingerprints compare across restarts.
  const secrets = new SecretRegistry({ key: loadFingerprintKey(join(o.dataDir, 'fingerprint.key')) });
  const maskDeep = <T>(v: T): T => secrets.maskDeep(v);
  const log = o.log ?? maskedLogger(secrets, o.dataDir);
  // Notifications go to the sinks of the newest sluice.yaml unless the caller supplies its own.
  const relayRef: { current?: NotificationRelay } = {};
  const deliver: Notify = o.notify ?? ((e) => relayRef.current?.notify(e));
  const notify: Notify = (e) => deliver(maskDeep(e));
  const opened = openStore(o.dataDir, {
    ...(o.store ? { location: o.store } : {}),
    ...(o.instance ? { instance: o.instance } : {}),
  });
  const store = maskedStore(notifyingStore(opened, notify), maskDeep);
  // On a store several replicas share, scopes are split by leases and one leader runs the
  // project's singleton work; alone, this controller holds everything and leads.
  const holder = o.instance ?? (opened.shared ? hostname() : 'local');
  const timing = leaseTiming(o.leaseDurationMs ?? 15_000);
  const onLeadership: { current?: (leader: boolean) => void } = {};
  const leadership: Leadership = opened.shared
    ? new LeaderLease({
        leases: store.leases,
        holder,
        timing,
        onChange: (leader) => onLeadership.current?.(leader),
      })
    : soleLeadership;
  const ownership = opened.shared ? new ScopeLeases({ store, holder, timing }) : new SoleOwnership(holder);
  const spec = isRemote(o.repo) ? { url: o.repo } : { path: resolve(o.repo) };
  const source = await Source.open(
    { ...spec, ...(o.branch ? { branch: o.branch } : {}) },
    {
      dataDir: o.dataDir,
      log,
      ...(o.pollIntervalMs ? { pollIntervalMs: o.pollIntervalMs } : {}),
      // Retries of an unreachable remote back off to ten poll intervals (30 s to 5 min), so a
      // short outage on a fast-polled repo is noticed as over within seconds, not minutes.
      backoff: { maxMs: Math.min(300_000, Math.max(30_000, (o.pollIntervalMs ?? 30_000) * 10)) },
    },
  );
  // The metrics read the controller's status, and the controller reports syncs to the metrics.
  const metricsRef: { current?: SluiceMetrics } = {};
  // The controller hands failed verifications to the promotion service, which needs the controller's status.
  const promotionsRef: { current?: PromotionService } = {};
  // A finished sync changes the health a request's source-healthy gate reads: open requests are settled again.
  const pollerRef: { current?: RequestPoller } = {};
  const controller = new Controller({
    source: gitRevisionSource(source),
    store,
    log,
    ownership,
    leadership,
    leaseRenewMs: timing.renewMs,
    // Each render decrypts only the SOPS files it reads: a file that does not decrypt fails the app that reads it.
    openTree: async (fs) => lazyDecryptingFs(fs, { registry: secrets }),
    mask: (text) => secrets.mask(text),
    createProvider: (target) =>
      createProvider(target, {
        dataDir: o.dataDir,
        log: log.child({ target: target.name }),
        secrets,
        readFile: (path) => readMaybeEncrypted(path, secrets),
      }),
    onSyncFinished: (r) => {
      metricsRef.current?.recordSync(r);
      // A promotion is told once it is synced and verified where it went, not when its commit lands.
      if (promotionsRef.current)
        void noticeLanding(promotionsRef.current, r).catch((e: unknown) =>
          log.warn({ err: e }, 'telling a landed promotion failed'),
        );
      void pollerRef.current?.tick().catch((e: unknown) => log.warn({ err: e }, 'settling promotion requests failed'));
      o.onSyncFinished?.(r);
    },
    onVerificationFailed: async (v, env) => {
      if (!promotionsRef.current) return;
      await tellVerificationFailed(promotionsRef.current, v);
      await holdFailedDigests(promotionsRef.current, v);
      await autoRollback(promotionsRef.current, v, env);
    },
  });
  // On loopback the data dir holds an admin token; anywhere else someone must have set up
  // credentials first, or the API would answer whoever reaches the address.
  const loopback = isLoopback(o.host);
  let adminToken: string | undefined;
  if (loopback) adminToken = writeAdminToken(o.dataDir);
  else {
    removeAdminToken(o.dataDir);
    // Single sign-on is a way in, too: people sign in through the provider.
    if (!o.oidc)
      await requireAuthConfigured({ host: o.host, dataDir: o.dataDir, store, source }).catch(async (e: unknown) => {
        source.close();
        await store.close();
        throw e;
      });
  }
  const hosted = new HostedRequests({ source, log });
  const promotions = new PromotionService({
    source,
    store,
    // Gates read live health only where this replica holds the scope; elsewhere the store's.
    status: () => controller.liveStatus(),
    refresh: () => controller.refresh(),
    openTree: async (fs) => lazyDecryptingFs(fs, { registry: secrets }),
    notify,
    // Without a backend given, requests become pull/merge requests when sluice.yaml or the remote and a token say so.
    requests: o.requests ?? hosted,
  });
  promotionsRef.current = promotions;
  // Every open request is settled again on an interval (reviews given on GitHub or GitLab, a soak
  // time running out) and after each new revision and sync; it merges when every gate passes.
  const requestPoller = pollRequests(pendingRequestsOf(promotions), {
    intervalMs: () => (o.requests ? 30_000 : hosted.pollIntervalMs),
    log,
    active: () => leadership.isLeader(),
  });
  pollerRef.current = requestPoller;
  // Every config commit becomes a ledger change, whoever wrote it; and a new revision may be a
  // request merged on the forge, so open requests are read back at once. Both follow the
  // source's one feed: the repo is fetched once for every part that follows it.
  // Requests are read back first: one merged on the forge then has its merged revision
  // recorded before the observer judges the commit that claims it.
  const observe = (revision: string) => {
    // Only changes this pass records are told: earlier ones were told when they were recorded.
    const observedFrom = new Date().toISOString();
    void requestPoller
      .tick()
      .catch((e: unknown) => log.warn({ err: e }, 'reading promotion requests back failed'))
      .finally(() =>
        observeCommits(source, store, revision)
          .then(async (changes) => {
            for (const c of changes)
              if (c.flagged && c.recordedAt >= observedFrom) await tellUnapproved(promotions, c, c.flagged);
          })
          .catch((e: unknown) => log.warn({ err: e }, 'recording config commits in the ledger failed')),
      );
  };
  const ledgerWatch = source.watch((revision) => {
    // Among replicas only the leader records commits and settles requests.
    if (leadership.isLeader()) observe(revision);
    o.onRevision?.(revision, source.branch);
  });
  // A new leader catches up at once with what arrived while no one led.
  onLeadership.current = (leader) => {
    log.info({ instance: holder, leader }, leader ? 'leading this project' : 'no longer leading this project');
    const revision = source.state().lastGoodRevision;
    if (leader && revision) observe(revision);
  };
  const metrics = new SluiceMetrics(
    () => controller.status(),
    async () => {
      const until = new Date();
      const since = new Date(until.getTime() - 30 * 86_400_000);
      const envs = controller.project?.environments.map((e) => e.name) ?? [];
      return Promise.all(
        envs.map(async (env) => {
          const r = await dora(store, { project: controller.projectName, env, since, until });
          return {
            env,
            deployments: r.deployments,
            restorations: r.restorations,
            failedDeployments: r.failedDeployments,
            changeFailureRate: r.changeFailureRate,
            leadTimeMedianMs: r.leadTime.medianMs,
            timeToRestoreMedianMs: r.timeToRestore.medianMs,
          };
        }),
      );
    },
  );
  metricsRef.current = metrics;
  /** The log lines of a scope as its target kind reads them; followed when a signal is given and the kind can. */
  const logLines = async function* (
    q: { app: string; env: string; process?: string; container?: string; sinceSeconds?: number; lines: number },
    signal?: AbortSignal,
  ): AsyncIterable<{ stream: string; text: string }> {
    const project = controller.project;
    const env = project?.environments.find((e) => e.name === q.env);
    const target = env ? project?.targets.get(env.target) : undefined;
    const kind = target ? targetKind(target.provider) : undefined;
    if (!target || !kind?.readLogs) return;
    const scope = { project: controller.projectName, app: q.app, env: q.env };
    const options = {
      tail: q.lines,
      ...(q.process ? { workload: q.process } : {}),
      ...(q.container ? { container: q.container } : {}),
      ...(q.sinceSeconds !== undefined ? { sinceSeconds: q.sinceSeconds } : {}),
      ...(signal && kind.followsLogs ? { follow: true, signal } : {}),
    };
    yield* kind.readLogs(o.dataDir, scope, options, target);
  };
  const app = buildApp({
    controller,
    store,
    metrics,
    mask: (text) => secrets.mask(text),
    uiDir: UI_DIR,
    ...(adminToken ? { adminTokenHash: hashToken(adminToken) } : {}),
    publicMetrics: loopback,
    ...(o.rateLimit ? { rateLimit: o.rateLimit } : {}),
    routes: [
      signInOptionsRoute(o.oidc !== undefined),
      ...(o.oidc
        ? [oidcRoutes({ login: new OidcLogin(o.oidc), issueSession: (reply, id) => issueSession(reply, id) })]
        : []),
      promotionRoutes(
        promotions,
        () => controller.projectName,
        () => controller.project,
      ),
      ledgerRoutes(
        store,
        () => controller.projectName,
        () => controller.project,
      ),
      webhookRoutes({
        store,
        project: () => controller.project,
        projectName: () => controller.projectName,
        branch: () => source.state().branch,
        fetchNow: () => source.fetchNow(),
        reviewed: (backend, id) => settleHostedRequest(promotions, backend, id),
      }),
      holdRoutes(promotions),
      containerRoutes((app, env) => controller.workloads(app, env)),
    ],
    readLogs: async (q) => {
      const byStream = new Map<string, string[]>();
      for await (const line of logLines(q)) {
        const lines = byStream.get(line.stream) ?? [];
        lines.push(line.text);
        byStream.set(line.stream, lines);
      }
      return [...byStream].map(([file, lines]) => ({ file, lines }));
    },
    followLogs: (q, signal) => logLines(q, signal),
  });
  await app.listen({ port: o.port, host: o.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : o.port;
  const url = `http://${o.host.includes(':') ? `[${o.host}]` : o.host}:${port}`;
  const serverFile = join(o.dataDir, 'server.json');
  writeFileSync(serverFile, JSON.stringify({ url, pid: process.pid, startedAt: new Date().toISOString() }));
  relayRef.current = new NotificationRelay(
    () => controller.project,
    () => o.externalUrl ?? url,
    log,
    store,
    isRemote(o.repo) ? o.repo : undefined,
  );
  await controller.start();
  log.info({ url, repo: o.repo }, 'sluice started');
  let stopping: Promise<void> | undefined;
  return {
    url,
    ...(adminToken ? { adminTokenFile: join(o.dataDir, ADMIN_TOKEN_FILE) } : {}),
    controller,
    log,
    stop: (opts) =>
      (stopping ??= (async () => {
        await app.close();
        requestPoller.close();
        ledgerWatch.close();
        await controller.stop(opts);
        await relayRef.current?.close();
        await store.close();
        rmSync(serverFile, { force: true });
        log.flush?.();
      })()),
  };
}

/** A JSON logger writing to the data dir whose messages and fields never carry a known secret value. */
function maskedLogger(secrets: SecretRegistry, dataDir: string): Logger {
  const file = openLogFile(join(dataDir, 'sluice.log'), (what) =>
    logger.warn(what, 'sluice.log could not be written for a while; the lines held meanwhile are written now'),
  );
  const logger = pino(
    {
      level: process.env.SLUICE_LOG_LEVEL ?? 'info',
      formatters: { log: (obj) => secrets.maskDeep(obj) },
      hooks: {
        logMethod(args, method) {
          method.apply(
            this,
            args.map((a) => (typeof a === 'string' ? secrets.mask(a) : a)) as Parameters<typeof method>,
          );
        },
      },
    },
    file.stream,
  );
  return logger;
}
