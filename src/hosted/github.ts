import { describeError as describe } from '../errors/index.js';
import { ApiClient } from './http.js';
import { parseNumber } from './ids.js';
import type { Approval, ClientOptions, HostedRepo, RequestInfo, RequestRef } from './types.js';

export interface GithubRepoOptions extends ClientOptions {
  /** REST root; GitHub Enterprise Server uses https://<host>/api/v3. */
  apiUrl?: string;
  owner: string;
  repo: string;
  token: string;
}

interface Pull {
  number: number;
  html_url: string;
  state: 'open' | 'closed';
  merged?: boolean;
  merged_at?: string | null;
  merge_commit_sha?: string | null;
  title: string;
  user: { login: string } | null;
  head: { sha: string; ref: string };
  mergeable?: boolean | null;
}

interface Review {
  user: { login: string } | null;
  state: string;
  submitted_at?: string;
  commit_id?: string;
}

/**
 * GitHub's REST API (version 2022-11-28) for pull requests, as documented at
 * https://docs.github.com/en/rest/pulls/pulls, …/pulls/reviews, …/issues/comments and
 * …/issues/labels. A fine-grained token needs "Pull requests: write" and "Contents: read"
 * (plus "Issues: write" for labels); a classic token needs `repo`.
 */
export function githubRepo(options: GithubRepoOptions): HostedRepo {
  const { owner, repo } = options;
  const name = `${owner}/${repo}`;
  const api = new ApiClient({
    host: 'GitHub',
    apiUrl: options.apiUrl ?? 'https://api.github.com',
    token: options.token,
    headers: {
      authorization: `Bearer ${options.token}`,
      accept: 'application/vnd.github+json',
      'x-github-api-version': '2022-11-28',
    },
    authHint:
      'Check the GitHub token: it may be expired or revoked, or lack access. A fine-grained token needs "Pull requests: write" and "Contents: read" on this repository (and "Issues: write" for labels and comments); a classic token needs the repo scope.',
    fetch: options.fetch,
    retry: options.retry,
    timeoutMs: options.timeoutMs,
    log: options.log,
  });
  const repoPath = `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}`;
  const num = (id: string | number) => parseNumber(id);
  const ref = (p: Pull): RequestRef => ({ id: String(p.number), number: p.number, url: p.html_url });

  return {
    kind: 'github',
    name,

    async openRequest({ title, body, head, base, labels }) {
      const what = `open a pull request from ${head} into ${base} in ${name}`;
      const { data } = await api.call<Pull>('POST', `${repoPath}/pulls`, { what, body: { title, body, head, base } });
      if (typeof data?.number !== 'number') throw api.badResponse(what, 'no pull request number');
      if (labels?.length) {
        // Pull requests take labels through the issues API; the create call has no labels field.
        // Labels are cosmetic: failing here must not lose the request that now exists.
        await api
          .call('POST', `${repoPath}/issues/${data.number}/labels`, {
            what: `label pull request #${data.number} in ${name}`,
            body: { labels },
          })
          .catch((e: unknown) =>
            options.log?.warn?.({ number: data.number, code: (e as { code?: string }).code }, describe(e)),
          );
      }
      return ref(data);
    },

    async findOpenRequest({ head, base }) {
      const what = `list open pull requests from ${head} into ${base} in ${name}`;
      const { data } = await api.call<Pull[]>('GET', `${repoPath}/pulls`, {
        what,
        query: { state: 'open', head: `${owner}:${head}`, base },
      });
      const pull = Array.isArray(data) ? data[0] : undefined;
      return pull ? ref(pull) : undefined;
    },

    async getRequest(id) {
      const n = num(id);
      const what = `read pull request #${n} in ${name}`;
      const { data: p } = await api.call<Pull>('GET', `${repoPath}/pulls/${n}`, { what });
      if (typeof p?.number !== 'number' || !p.head) throw api.badResponse(what, 'not a pull request');
      const reviews = await api.list<Review>(`${repoPath}/pulls/${n}/reviews`, {
        what: `list reviews of pull request #${n} in ${name}`,
      });
      const info: RequestInfo = {
        ...ref(p),
        state: p.merged || p.merged_at ? 'merged' : p.state === 'open' ? 'open' : 'closed',
        title: p.title,
        author: p.user?.login ?? '',
        ...currentReviews(reviews),
        headSha: p.head.sha,
      };
      // null means GitHub is still computing it in the background.
      if (typeof p.mergeable === 'boolean') info.mergeable = p.mergeable;
      // An open pull request has a merge_commit_sha too: GitHub's trial merge, which never landed.
      if (info.state === 'merged' && p.merge_commit_sha) info.mergedSha = p.merge_commit_sha;
      return info;
    },

    async comment(id, text) {
      const n = num(id);
      await api.call('POST', `${repoPath}/issues/${n}/comments`, {
        what: `comment on pull request #${n} in ${name}`,
        body: { body: text },
      });
    },

    async merge(id, options = {}) {
      const n = num(id);
      const body: Record<string, string> = {};
      if (options.sha) body.sha = options.sha;
      if (options.message) body.commit_title = options.message;
      const { data } = await api.call<{ sha?: string; merged?: boolean }>('PUT', `${repoPath}/pulls/${n}/merge`, {
        what: `merge pull request #${n} in ${name}`,
        body,
        merge: true,
      });
      return data?.sha ? { sha: data.sha } : {};
    },

    async close(id) {
      const n = num(id);
      await api.call('PATCH', `${repoPath}/pulls/${n}`, {
        what: `close pull request #${n} in ${name}`,
        body: { state: 'closed' },
      });
    },
  };
}

/**
 * Where each reviewer stands now: their latest review that decides something. A later comment
 * does not withdraw an approval (as on GitHub's own page); a later request for changes or a
 * dismissal does.
 */
export function currentReviews(reviews: readonly Review[]): { approvals: Approval[]; changesRequested: Approval[] } {
  const latest = new Map<string, Review>();
  for (const r of reviews) {
    const login = r.user?.login;
    if (!login || !['APPROVED', 'CHANGES_REQUESTED', 'DISMISSED'].includes(r.state)) continue;
    latest.set(login, r);
  }
  const approvals: Approval[] = [];
  const changesRequested: Approval[] = [];
  for (const [user, r] of latest) {
    const a: Approval = { user };
    if (r.submitted_at) a.at = r.submitted_at;
    if (r.commit_id) a.sha = r.commit_id;
    if (r.state === 'APPROVED') approvals.push(a);
    else if (r.state === 'CHANGES_REQUESTED') changesRequested.push(a);
  }
  return { approvals, changesRequested };
}
