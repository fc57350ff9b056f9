// An in-memory GitLab REST API v4 for the merge-request calls Sluice makes, served under /api/v4.
// Shapes, status codes and messages follow the documentation:
//   https://docs.gitlab.com/api/rest/ (PRIVATE-TOKEN header; 401 {"message":"401 Unauthorized"};
//     project ids as numbers or URL-encoded paths such as group%2Fproject; pagination headers
//     X-Page, X-Per-Page, X-Total, X-Total-Pages, X-Next-Page and Link)
//   https://docs.gitlab.com/api/rest/authentication/ (403 insufficient_scope for read_api tokens)
//   https://docs.gitlab.com/api/merge_requests/ (create 201, 409 when an open MR exists for the
//     branches; get; list; update with state_event=close; merge: 405 when it cannot be accepted
//     (draft, closed, pipeline, approvals), 406 "Branch cannot be merged" on conflicts, 409 when
//     sha does not match the source branch HEAD)
//   https://docs.gitlab.com/api/merge_request_approvals/ (approved_by[].user)
//   https://docs.gitlab.com/api/notes/#create-new-merge-request-note (201)
// A test plays the reviewer through the helpers (approve, setConflicts, pushHead, failNext).
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { listen, sendJson, type FakeRequest } from './http.js';

export interface FakeGitlabOptions {
  /** Full path of the one project served, e.g. `acme/platform/config`. */
  project: string;
  projectId?: number;
  /** token → username; `readOnly` tokens (read_api scope) get 403 insufficient_scope on writes. */
  tokens: Record<string, { username: string; readOnly?: boolean }>;
  /** Approvals a merge request needs before it can be merged. Default 0. */
  approvalsRequired?: number;
}

export interface FakeMergeRequest {
  id: number;
  iid: number;
  project_id: number;
  title: string;
  description: string;
  state: 'opened' | 'closed' | 'merged' | 'locked';
  source_branch: string;
  target_branch: string;
  author: { id: number; username: string; name: string };
  sha: string;
  merge_commit_sha: string | null;
  draft: boolean;
  has_conflicts: boolean;
  labels: string[];
  web_url: string;
  approvedBy: Array<{ username: string }>;
  notes: Array<{ id: number; body: string; author: { username: string } }>;
}

export interface FakeGitlab {
  /** The API root to give gitlabRepo: <server>/api/v4. */
  apiUrl: string;
  requests: FakeRequest[];
  mergeRequests: Map<number, FakeMergeRequest>;
  approve(iid: number, username: string): void;
  setConflicts(iid: number, conflicts: boolean): void;
  pushHead(iid: number, sha?: string): string;
  failNext(status: number, times?: number): void;
  close(): Promise<void>;
}

export async function startFakeGitlab(options: FakeGitlabOptions): Promise<FakeGitlab> {
  const requests: FakeRequest[] = [];
  const mrs = new Map<number, FakeMergeRequest>();
  const projectId = options.projectId ?? 42;
  const failures: number[] = [];
  let nextIid = 1;
  let nextId = 5000;

  const message = (res: ServerResponse, status: number, text: unknown) => sendJson(res, status, { message: text });
  const view = (mr: FakeMergeRequest) => {
    const { approvedBy: _a, notes: _n, ...rest } = mr;
    return {
      ...rest,
      merge_status: mr.has_conflicts ? 'cannot_be_merged' : 'can_be_merged',
      detailed_merge_status:
        mr.state !== 'opened'
          ? 'not_open'
          : mr.draft
            ? 'draft_status'
            : mr.has_conflicts
              ? 'conflict'
              : missing(mr) > 0
                ? 'not_approved'
                : 'mergeable',
    };
  };
  const missing = (mr: FakeMergeRequest) => Math.max(0, (options.approvalsRequired ?? 0) - mr.approvedBy.length);

  const running = await listen((req, res) => {
    requests.push(req);
    const failing = failures.shift();
    if (failing !== undefined) return message(res, failing, `${failing} Internal Server Error`);

    const caller = options.tokens[String(req.headers['private-token'] ?? '')];
    if (!caller) return message(res, 401, '401 Unauthorized');

    // Split before decoding, so an unencoded group/project path does not match (as on GitLab).
    const parts = req.path.split('/').slice(1).map(decodeURIComponent);
    if (parts[0] !== 'api' || parts[1] !== 'v4' || parts[2] !== 'projects') return message(res, 404, '404 Not Found');
    if (parts[3] !== options.project && parts[3] !== String(projectId))
      return message(res, 404, '404 Project Not Found');
    if (req.method !== 'GET' && caller.readOnly) {
      return sendJson(res, 403, {
        error: 'insufficient_scope',
        error_description: 'The request requires higher privileges than provided by the access token.',
        scope: 'api',
      });
    }
    const rest = parts.slice(4);
    const body = (req.json ?? {}) as Record<string, unknown>;
    if (rest[0] !== 'merge_requests') return message(res, 404, '404 Not Found');

    if (rest.length === 1 && req.method === 'POST') {
      for (const field of ['source_branch', 'target_branch', 'title']) {
        if (typeof body[field] !== 'string' || body[field] === '')
          return sendJson(res, 400, { error: `${field} is missing` });
      }
      const open = [...mrs.values()].find(
        (m) => m.state === 'opened' && m.source_branch === body.source_branch && m.target_branch === body.target_branch,
      );
      if (open)
        return message(res, 409, [`Another open merge request already exists for this source branch: !${open.iid}`]);
      const iid = nextIid++;
      const title = String(body.title);
      const mr: FakeMergeRequest = {
        id: nextId++,
        iid,
        project_id: projectId,
        title,
        description: typeof body.description === 'string' ? body.description : '',
        state: 'opened',
        source_branch: String(body.source_branch),
        target_branch: String(body.target_branch),
        author: { id: 1, username: caller.username, name: caller.username },
        sha: sha(),
        merge_commit_sha: null,
        draft: /^(draft:|\[draft\]|\(draft\))/i.test(title),
        has_conflicts: false,
        labels: typeof body.labels === 'string' && body.labels ? body.labels.split(',') : [],
        web_url: `https://gitlab.example/${options.project}/-/merge_requests/${iid}`,
        approvedBy: [],
        notes: [],
      };
      mrs.set(iid, mr);
      return sendJson(res, 201, view(mr));
    }
    if (rest.length === 1 && req.method === 'GET') {
      const state = req.query.get('state') ?? 'all';
      const list = [...mrs.values()]
        .filter((m) => state === 'all' || m.state === state)
        .filter((m) => !req.query.get('source_branch') || m.source_branch === req.query.get('source_branch'))
        .filter((m) => !req.query.get('target_branch') || m.target_branch === req.query.get('target_branch'));
      const perPage = Math.min(Number(req.query.get('per_page') ?? 20), 100);
      const page = Number(req.query.get('page') ?? 1);
      const totalPages = Math.max(1, Math.ceil(list.length / perPage));
      return sendJson(res, 200, list.slice((page - 1) * perPage, page * perPage).map(view), {
        'x-page': String(page),
        'x-per-page': String(perPage),
        'x-total': String(list.length),
        'x-total-pages': String(totalPages),
        'x-next-page': page < totalPages ? String(page + 1) : '',
      });
    }

    const mr = mrs.get(Number(rest[1]));
    if (!mr) return message(res, 404, '404 Not found');
    const action = rest[2];
    if (action === undefined && req.method === 'GET') return sendJson(res, 200, view(mr));
    if (action === undefined && req.method === 'PUT') {
      if (body.state_event === 'close' && mr.state === 'opened') mr.state = 'closed';
      if (body.state_event === 'reopen' && mr.state === 'closed') mr.state = 'opened';
      if (typeof body.title === 'string') mr.title = body.title;
      return sendJson(res, 200, view(mr));
    }
    if (action === 'approvals' && req.method === 'GET') {
      return sendJson(res, 200, {
        id: mr.id,
        iid: mr.iid,
        project_id: projectId,
        title: mr.title,
        state: mr.state,
        approved: missing(mr) === 0,
        approvals_required: options.approvalsRequired ?? 0,
        approvals_left: missing(mr),
        approved_by: mr.approvedBy.map((u, i) => ({
          user: { id: 100 + i, username: u.username, name: u.username, state: 'active' },
        })),
      });
    }
    if (action === 'merge' && req.method === 'PUT') {
      if (mr.state !== 'opened' || mr.draft || missing(mr) > 0) return message(res, 405, '405 Method Not Allowed');
      if (mr.has_conflicts) return message(res, 406, 'Branch cannot be merged');
      if (typeof body.sha === 'string' && body.sha !== mr.sha)
        return message(res, 409, 'SHA does not match HEAD of source branch: ' + mr.sha);
      mr.state = 'merged';
      mr.merge_commit_sha = sha();
      return sendJson(res, 200, view(mr));
    }
    if (action === 'notes' && req.method === 'POST') {
      if (typeof body.body !== 'string' || !body.body) return sendJson(res, 400, { error: 'body is missing' });
      const note = { id: nextId++, body: body.body, author: { username: caller.username } };
      mr.notes.push(note);
      return sendJson(res, 201, {
        ...note,
        system: false,
        noteable_type: 'MergeRequest',
        noteable_iid: mr.iid,
        created_at: new Date().toISOString(),
      });
    }
    return message(res, 404, '404 Not Found');
  });

  const get = (iid: number) => {
    const mr = mrs.get(iid);
    if (!mr) throw new Error(`fake GitLab: no merge request !${iid}`);
    return mr;
  };
  return {
    apiUrl: `${running.url}/api/v4`,
    requests,
    mergeRequests: mrs,
    approve(iid, username) {
      const mr = get(iid);
      if (!mr.approvedBy.some((u) => u.username === username)) mr.approvedBy.push({ username });
    },
    setConflicts: (iid, conflicts) => void (get(iid).has_conflicts = conflicts),
    pushHead(iid, next = sha()) {
      const mr = get(iid);
      mr.sha = next;
      return next;
    },
    failNext: (status, times = 1) => void failures.push(...Array.from({ length: times }, () => status)),
    close: running.close,
  };
}

function sha(): string {
  return randomBytes(20).toString('hex');
}
