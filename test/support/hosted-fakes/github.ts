// An in-memory GitHub REST API (version 2022-11-28) for the pull-request calls Sluice makes.
// Shapes, status codes and messages follow the documentation:
//   https://docs.github.com/en/rest/pulls/pulls (create, list, get, update, merge:
//     200 merged, 405 "Pull Request is not mergeable", 409 "Head branch was modified…", 422)
//   https://docs.github.com/en/rest/pulls/reviews (list reviews: chronological, per_page ≤ 100)
//   https://docs.github.com/en/rest/issues/comments#create-an-issue-comment (201)
//   https://docs.github.com/en/rest/issues/labels#add-labels-to-an-issue (200, list of labels)
//   https://docs.github.com/en/rest/using-the-rest-api/using-pagination-in-the-rest-api (Link header)
//   https://docs.github.com/en/rest/authentication/authenticating-to-the-rest-api
//     (Authorization: Bearer <token>; 401 "Bad credentials")
// A test plays the reviewer through the helpers (review, setMergeable, pushHead, failNext).
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { listen, sendJson, type FakeRequest } from './http.js';

const DOCS = 'https://docs.github.com/rest';

export interface FakeGithubOptions {
  owner: string;
  repo: string;
  /** token → login; `readOnly` tokens get 403 on writes, like a token without "Pull requests: write". */
  tokens: Record<string, { login: string; readOnly?: boolean }>;
  /** Largest per_page honoured, to make tests page through short lists. Default 100. */
  maxPerPage?: number;
}

export interface FakePull {
  id: number;
  number: number;
  state: 'open' | 'closed';
  title: string;
  body: string;
  user: { login: string };
  head: { ref: string; sha: string; label: string };
  base: { ref: string };
  merged: boolean;
  merged_at: string | null;
  merge_commit_sha: string | null;
  mergeable: boolean | null;
  labels: Array<{ name: string }>;
  html_url: string;
  comments: Array<{ id: number; body: string; user: { login: string } }>;
  reviews: Array<{ id: number; user: { login: string }; state: string; submitted_at: string; commit_id: string }>;
}

export interface FakeGithub {
  url: string;
  requests: FakeRequest[];
  pulls: Map<number, FakePull>;
  review(
    number: number,
    review: { user: string; state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED'; at?: string },
  ): void;
  setMergeable(number: number, mergeable: boolean | null): void;
  pushHead(number: number, sha?: string): string;
  /** The next `times` API calls answer `status` (e.g. 502) before doing anything. */
  failNext(status: number, times?: number): void;
  close(): Promise<void>;
}

export async function startFakeGithub(options: FakeGithubOptions): Promise<FakeGithub> {
  const requests: FakeRequest[] = [];
  const pulls = new Map<number, FakePull>();
  let nextNumber = 1;
  let nextId = 1000;
  const failures: number[] = [];
  const repoPrefix = `/repos/${options.owner}/${options.repo}`;
  let base = '';

  const error = (res: ServerResponse, status: number, message: string, extra: Record<string, unknown> = {}) =>
    sendJson(res, status, { message, documentation_url: DOCS, ...extra });

  const publicPull = (p: FakePull) => {
    const { comments: _c, reviews: _r, ...rest } = p;
    return { ...rest, url: `${base}${repoPrefix}/pulls/${p.number}` };
  };

  const running = await listen((req, res) => {
    requests.push(req);
    const failing = failures.shift();
    if (failing !== undefined) return error(res, failing, failing >= 500 ? 'Server Error' : 'Failure');

    const auth = /^(?:Bearer|token) (.+)$/.exec(String(req.headers.authorization ?? ''));
    const caller = auth ? options.tokens[auth[1]!] : undefined;
    if (!caller) return error(res, 401, 'Bad credentials');
    const version = req.headers['x-github-api-version'];
    if (version !== undefined && version !== '2022-11-28')
      return error(res, 400, `Unsupported API version: ${String(version)}`);
    if (req.method !== 'GET' && caller.readOnly)
      return error(res, 403, 'Resource not accessible by personal access token');

    if (!req.path.startsWith(`${repoPrefix}/`)) return error(res, 404, 'Not Found');
    const rest = req.path.slice(repoPrefix.length);
    const body = (req.json ?? {}) as Record<string, unknown>;
    let m: RegExpExecArray | null;

    if (rest === '/pulls' && req.method === 'POST') {
      const { title, head, base: baseRef } = body;
      if (typeof title !== 'string' || typeof head !== 'string' || typeof baseRef !== 'string') {
        return error(res, 422, 'Validation Failed', {
          errors: [
            { resource: 'PullRequest', code: 'missing_field', field: typeof title !== 'string' ? 'title' : 'head' },
          ],
        });
      }
      if ([...pulls.values()].some((p) => p.state === 'open' && p.head.ref === head && p.base.ref === baseRef)) {
        return error(res, 422, 'Validation Failed', {
          errors: [
            {
              resource: 'PullRequest',
              code: 'custom',
              message: `A pull request already exists for ${options.owner}:${head}.`,
            },
          ],
        });
      }
      const number = nextNumber++;
      const pull: FakePull = {
        id: nextId++,
        number,
        state: 'open',
        title,
        body: typeof body.body === 'string' ? body.body : '',
        user: { login: caller.login },
        head: { ref: head, sha: sha(), label: `${options.owner}:${head}` },
        base: { ref: baseRef },
        merged: false,
        merged_at: null,
        merge_commit_sha: null,
        mergeable: true,
        labels: [],
        html_url: `https://github.com/${options.owner}/${options.repo}/pull/${number}`,
        comments: [],
        reviews: [],
      };
      pulls.set(number, pull);
      return sendJson(res, 201, publicPull(pull), { location: `${base}${repoPrefix}/pulls/${number}` });
    }
    if (rest === '/pulls' && req.method === 'GET') {
      const state = req.query.get('state') ?? 'open';
      const head = req.query.get('head');
      const baseRef = req.query.get('base');
      const list = [...pulls.values()].filter(
        (p) =>
          (state === 'all' || p.state === state) &&
          (!head || p.head.label === head) &&
          (!baseRef || p.base.ref === baseRef),
      );
      return sendJson(res, 200, list.map(publicPull));
    }
    if ((m = /^\/pulls\/(\d+)$/.exec(rest))) {
      const pull = pulls.get(Number(m[1]));
      if (!pull) return error(res, 404, 'Not Found');
      if (req.method === 'GET') return sendJson(res, 200, publicPull(pull));
      if (req.method === 'PATCH') {
        if (body.state === 'closed' || body.state === 'open') pull.state = body.state;
        if (typeof body.title === 'string') pull.title = body.title;
        return sendJson(res, 200, publicPull(pull));
      }
    }
    if ((m = /^\/pulls\/(\d+)\/reviews$/.exec(rest)) && req.method === 'GET') {
      const pull = pulls.get(Number(m[1]));
      if (!pull) return error(res, 404, 'Not Found');
      const perPage = Math.min(Number(req.query.get('per_page') ?? 30), options.maxPerPage ?? 100);
      const page = Number(req.query.get('page') ?? 1);
      const items = pull.reviews.slice((page - 1) * perPage, page * perPage);
      const last = Math.max(1, Math.ceil(pull.reviews.length / perPage));
      const link = (p: number) => `<${base}${req.path}?per_page=${perPage}&page=${p}>`;
      const links = page < last ? [`${link(page + 1)}; rel="next"`, `${link(last)}; rel="last"`] : [];
      return sendJson(res, 200, items, links.length ? { link: links.join(', ') } : {});
    }
    if ((m = /^\/pulls\/(\d+)\/merge$/.exec(rest)) && req.method === 'PUT') {
      const pull = pulls.get(Number(m[1]));
      if (!pull) return error(res, 404, 'Not Found');
      if (pull.state !== 'open' || pull.mergeable === false) return error(res, 405, 'Pull Request is not mergeable');
      if (typeof body.sha === 'string' && body.sha !== pull.head.sha)
        return error(res, 409, 'Head branch was modified. Review and try the merge again.');
      pull.state = 'closed';
      pull.merged = true;
      pull.merged_at = new Date().toISOString();
      pull.merge_commit_sha = sha();
      return sendJson(res, 200, {
        sha: pull.merge_commit_sha,
        merged: true,
        message: 'Pull Request successfully merged',
      });
    }
    if ((m = /^\/issues\/(\d+)\/comments$/.exec(rest)) && req.method === 'POST') {
      const pull = pulls.get(Number(m[1]));
      if (!pull) return error(res, 404, 'Not Found');
      if (typeof body.body !== 'string')
        return error(res, 422, 'Validation Failed', {
          errors: [{ resource: 'IssueComment', code: 'missing_field', field: 'body' }],
        });
      const comment = { id: nextId++, body: body.body, user: { login: caller.login } };
      pull.comments.push(comment);
      return sendJson(res, 201, { ...comment, html_url: `${pull.html_url}#issuecomment-${comment.id}` });
    }
    if ((m = /^\/issues\/(\d+)\/labels$/.exec(rest)) && req.method === 'POST') {
      const pull = pulls.get(Number(m[1]));
      if (!pull) return error(res, 404, 'Not Found');
      for (const name of (body.labels as string[] | undefined) ?? [])
        if (!pull.labels.some((l) => l.name === name)) pull.labels.push({ name });
      return sendJson(res, 200, pull.labels);
    }
    return error(res, 404, 'Not Found');
  });
  base = running.url;

  const get = (n: number) => {
    const p = pulls.get(n);
    if (!p) throw new Error(`fake GitHub: no pull request #${n}`);
    return p;
  };
  return {
    url: running.url,
    requests,
    pulls,
    review(n, { user, state, at }) {
      const p = get(n);
      p.reviews.push({
        id: nextId++,
        user: { login: user },
        state,
        submitted_at: at ?? new Date().toISOString(),
        commit_id: p.head.sha,
      });
    },
    setMergeable: (n, mergeable) => void (get(n).mergeable = mergeable),
    pushHead(n, next = sha()) {
      get(n).head.sha = next;
      return next;
    },
    failNext: (status, times = 1) => void failures.push(...Array.from({ length: times }, () => status)),
    close: running.close,
  };
}

function sha(): string {
  return randomBytes(20).toString('hex');
}
