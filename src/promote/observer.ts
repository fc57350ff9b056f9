import type { Project } from '../config/index.js';
import type { CommitInfo, Source } from '../source/index.js';
import type { ChangeRecord } from '../store/ledger-types.js';
import type { Store } from '../store/types.js';
import { judgeClaim, signedBySluice, unapprovedFlag } from './claims.js';
import { overlayDir } from './overlay-changes.js';
import { projectAt } from './project-at.js';
import { readChangeTrailers } from './trailers.js';
import { betweenWrites } from './writer.js';

/** How far back one observation looks when the ledger has never seen a branch. */
const MAX_SCAN = 200;

/**
 * Turns config commits into ledger changes: every commit that touches an app's overlay becomes
 * a change of that app × environment, described by its Sluice trailers when it has them. A
 * direct commit to a protected environment's overlay (no merged request behind it) is
 * recorded flagged and reported as an event.
 */
export function observeCommits(source: Source, store: Store, revision: string): Promise<ChangeRecord[]> {
  // Never between Sluice writing a commit and recording it: that commit would look like anyone's.
  return betweenWrites(source, () => observe(source, store, revision));
}

async function observe(source: Source, store: Store, revision: string): Promise<ChangeRecord[]> {
  const view = await projectAt(source, revision);
  const project = view.project;
  const pending: CommitInfo[] = [];
  for (const c of await source.log({ ref: revision, max: MAX_SCAN })) {
    if (await store.ledger.isObserved(project.name, c.sha)) break;
    pending.push(c);
  }
  const recorded: ChangeRecord[] = [];
  for (const commit of pending.reverse()) {
    const paths = await source.changedPaths(commit.parents[0], commit.sha);
    const parentTree = commit.parents[0] ? await source.tree(commit.parents[0]) : undefined;
    for (const { app, env, dir } of touchedOverlays(project, paths)) {
      // Creating an environment's overlay is bootstrapping, not a change to what runs there.
      const created = parentTree?.stat(dir) !== 'dir';
      recorded.push(await recordCommit(source, store, project, commit, { app, env, created }));
    }
    await store.ledger.markObserved(project.name, commit.sha);
  }
  return recorded;
}

function touchedOverlays(project: Project, paths: readonly string[]): { app: string; env: string; dir: string }[] {
  const out: { app: string; env: string; dir: string }[] = [];
  for (const app of project.apps) {
    for (const env of project.environments) {
      const dir = overlayDir(app, env.name);
      if (paths.some((p) => p.startsWith(`${dir}/`))) out.push({ app: app.name, env: env.name, dir });
    }
  }
  return out;
}

async function recordCommit(
  source: Source,
  store: Store,
  project: Project,
  commit: CommitInfo,
  scope: { app: string; env: string; created: boolean },
): Promise<ChangeRecord> {
  const { app, env } = scope;
  const t = readChangeTrailers(commit.trailers);
  const claimed = t && t.app === app && t.env === env ? t : undefined;
  const protectedEnv = project.environments.find((e) => e.name === env)?.protected ?? false;
  let mine = claimed;
  let flagged: string | undefined;
  if (protectedEnv && !scope.created) {
    const verdict = await judgeClaim(store, project.name, scope, commit, claimed, () =>
      signedBySluice(source, project, commit.sha),
    );
    if (verdict.genuine && verdict.existing) return verdict.existing;
    if (!verdict.genuine) {
      // Not believed: recorded as the plain commit it is, under its git author.
      mine = undefined;
      flagged = unapprovedFlag(env, commit, verdict.reason);
    }
  }
  const before = new Date().toISOString();
  const change = await store.ledger.recordChange({
    project: project.name,
    app,
    env,
    revision: commit.sha,
    action: mine?.action ?? 'commit',
    subject: commit.subject,
    author: mine?.actor ?? (flagged ? `${commit.author.name} <${commit.author.email}>` : commit.author.name),
    committedAt: commit.committer.time.toISOString(),
    artifacts: mine?.artifacts ?? [],
    ...(mine?.sourceCommit ? { sourceCommit: mine.sourceCommit } : {}),
    ...(mine?.sourceTime ? { sourceTime: mine.sourceTime } : {}),
    ...(mine?.ciRun ? { ciRun: mine.ciRun } : {}),
    ...(mine?.promotionId !== undefined ? { promotionId: mine.promotionId } : {}),
    ...(mine?.fromEnv ? { fromEnv: mine.fromEnv } : {}),
    ...(mine?.rollbackOf ? { rollbackOf: mine.rollbackOf } : {}),
    ...(mine?.notAFailure ? { notAFailure: mine.notAFailure } : {}),
    ...(flagged ? { flagged } : {}),
  });
  if (flagged && change.flagged && change.recordedAt >= before) {
    await store.addEvent({
      project: project.name,
      app,
      env,
      type: 'change.unapproved',
      severity: 'warning',
      message: `${commit.sha.slice(0, 7)} ${commit.subject}: ${flagged}`,
      data: {
        revision: commit.sha,
        author: { name: commit.author.name, email: commit.author.email },
        committer: { name: commit.committer.name, email: commit.committer.email },
        ...(claimed
          ? { claimed: { action: claimed.action, actor: claimed.actor, promotion: claimed.promotionId } }
          : {}),
      },
    });
  }
  return change;
}
