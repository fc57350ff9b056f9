import { scopeKey } from '../desired/index.js';
import type { Source } from '../source/index.js';
import { readChangeTrailers } from './trailers.js';

/** The message line of a commit that promotes or sets an image: the only kinds that can land. */
const NAMING = '^Sluice-Action: *(promote|set-image)';

/**
 * The scopes that some promote or set-image commit names, over every revision looked at so far.
 * For each of those revisions it holds every scope whose history has such a commit (and maybe
 * more, after a rewrite), so a scope outside it has nothing that could land and the question
 * costs no git process: on a first sync of thousands of scopes that is one walk instead of a
 * `git rev-list` per scope. Each new revision walks only the commits the last one did not reach.
 */
export class NamedScopes {
  private readonly named = new Set<string>();
  private walked: string | undefined;
  private last: Promise<unknown> = Promise.resolve();

  constructor(private readonly source: Pick<Source, 'log'>) {}

  /** False when no promote or set-image commit that `revision` reaches names the scope. */
  async mayName(revision: string, app: string, env: string): Promise<boolean> {
    // One walk at a time, so each starts where the one before it ended.
    const walk = this.last.then(() => this.walk(revision));
    this.last = walk.catch(() => undefined);
    await walk;
    return this.named.has(scopeKey(app, env));
  }

  private async walk(revision: string): Promise<void> {
    if (this.walked === revision) return;
    const query = { ref: revision, max: Infinity, grep: NAMING };
    // The last revision walked may be gone (a rewritten remote); then the whole history.
    const commits = this.walked
      ? await this.source.log({ ...query, not: this.walked }).catch(() => this.source.log(query))
      : await this.source.log(query);
    for (const c of commits) {
      const t = readChangeTrailers(c.trailers);
      if (t) this.named.add(scopeKey(t.app, t.env));
    }
    this.walked = revision;
  }
}
