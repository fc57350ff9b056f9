import { SourceError } from '../errors/index.js';
import type { CommitMessage, CommitSigningKey, FileChange, Identity, Source } from '../source/index.js';
import { PromotionError } from './errors.js';

/** What to commit on top of a branch tip, or undefined when there is nothing to do there. */
export type BuildCommit = (
  head: string,
) => Promise<
  { changes: FileChange[]; message: CommitMessage; author: Identity; sign?: CommitSigningKey | undefined } | undefined
>;

export interface WriteResult {
  revision: string;
  parent: string;
  attempts: number;
}

/** Serializes work per key (an environment): one change at a time computes and commits. */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => this.tails.get(key) === tail && this.tails.delete(key));
    return next;
  }
}

export const COMMITTER: Identity = { name: 'Sluice', email: 'sluice@localhost' };

/**
 * One attempt (fetch, compute, commit, push) at a time per source: changes to different
 * environments then never race each other, and only commits from elsewhere cause a retry.
 */
const branchLocks = new WeakMap<Source, KeyedLock>();

function branchLock(source: Source): KeyedLock {
  let lock = branchLocks.get(source);
  if (!lock) branchLocks.set(source, (lock = new KeyedLock()));
  return lock;
}

/**
 * Runs `fn` while no Sluice write is under way on the source's branch: a commit Sluice writes
 * is recorded before anyone inside this sees it.
 */
export function betweenWrites<T>(source: Source, fn: () => Promise<T>): Promise<T> {
  return branchLock(source).run(source.branch || 'default', fn);
}

/**
 * Commits a change computed from the newest branch tip, and pushes it for remote sources.
 * The branch tip is passed as `expectedRevision`, so a commit that landed meanwhile (another
 * environment's promotion, a person) is never overwritten: the change is computed again on
 * the new tip. A rejected push (the remote moved) is retried the same way.
 */
export async function commitOnTip(
  source: Source,
  build: BuildCommit,
  options: {
    push: boolean;
    attempts?: number;
    committer?: Identity;
    /**
     * Records what was written before the branch lock is released: the ledger observer takes
     * the same lock, so it never sees a Sluice commit Sluice has not recorded yet.
     */
    onCommitted?: (revision: string) => Promise<void>;
    /**
     * Told the commit before it is pushed (or, for a local repository, before it is recorded):
     * what a controller killed between the two leaves behind for the next one to find.
     */
    beforeLanding?: (revision: string) => Promise<void>;
  },
): Promise<WriteResult | undefined> {
  const max = options.attempts ?? 12;
  let lastError: unknown;
  for (let attempt = 1; attempt <= max; attempt++) {
    const outcome = await branchLock(source).run(source.branch || 'default', async () => {
      const head = (await source.fetch()).revision;
      const plan = await build(head);
      if (!plan) return { done: undefined };
      try {
        const result = await source.commitFiles(plan.changes, {
          message: plan.message,
          author: plan.author,
          committer: options.committer ?? COMMITTER,
          expectedRevision: head,
          ...(plan.sign ? { sign: plan.sign } : {}),
        });
        if (!result.changed) return { done: undefined };
        await options.beforeLanding?.(result.revision);
        if (options.push) await source.push();
        await options.onCommitted?.(result.revision);
        return { done: { revision: result.revision, parent: head, attempts: attempt } };
      } catch (e) {
        if (!(e instanceof SourceError) || (e.code !== 'SOURCE_CONFLICT' && e.code !== 'SOURCE_PUSH_REJECTED')) throw e;
        lastError = e;
        return undefined;
      }
    });
    if (outcome) return outcome.done;
    // Someone else moved the branch first; a growing random pause keeps retries from colliding again.
    await new Promise((r) => setTimeout(r, Math.min(2000, 25 * 2 ** Math.min(attempt, 6)) * (0.5 + Math.random())));
  }
  throw new PromotionError('PROMOTE_RETRIES_EXHAUSTED', `the branch kept moving; gave up after ${max} attempts`, {
    cause: lastError,
    hint: 'Many commits land at once; run the command again.',
  });
}

/** The commit author for an actor name, which may be any string (a login, "ci", an email). */
export function identityOf(actor: string): Identity {
  return { name: actor, email: `${actor.replace(/[^A-Za-z0-9._-]/g, '_')}@sluice.local` };
}
