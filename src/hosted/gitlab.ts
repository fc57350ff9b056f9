import { ApiClient } from './http.js';
import { parseNumber } from './ids.js';
import type { Approval, ClientOptions, HostedRepo, RequestInfo, RequestRef } from './types.js';

export interface GitlabRepoOptions extends ClientOptions {
  /** REST root; self-managed GitLab uses https://<host>/api/v4. */
  apiUrl?: string;
  /** Project path (`group/subgroup/config`) or numeric id. */
  project: string | number;
  token: string;
}

interface MergeRequest {
  iid: number;
  web_url: string;
  state: 'opened' | 'closed' | 'locked' | 'merged';
  title: string;
  author?: { username: string } | null;
  sha: string;
  merge_commit_sha?: string | null;
  squash_commit_sha?: string | null;
  detailed_merge_status?: string;
  merge_status?: string;
  has_conflicts?: boolean;
}

interface Approvals {
  approved_by?: Array<{ user?: { username?: string }; approved_at?: string }>;
}

/** detailed_merge_status values that mean "GitLab has not decided yet". */
const STILL_CHECKING = new Set(['checking', 'unchecked', 'preparing', 'approvals_syncing']);
/** detailed_merge_status values that mean the branches conflict (what GitHub's `mergeable` reports). */
const CONFLICTING = new Set(['conflict', 'need_rebase']);

/**
 * GitLab's REST API v4 for merge requests, as documented at
 * https://docs.gitlab.com/api/merge_requests/, https://docs.gitlab.com/api/merge_request_approvals/
 * and https://docs.gitlab.com/api/notes/. The token (personal, project or group access token)
 * needs the `api` scope and at least the Developer role.
 */
export function gitlabRepo(options: GitlabRepoOptions): HostedRepo {
  const name = String(options.project);
  const api = new ApiClient({
    host: 'GitLab',
    apiUrl: options.apiUrl ?? 'https://gitlab.com/api/v4',
    token: options.token,
    headers: { 'private-token': options.token, accept: 'application/json' },
    authHint:
      'Check the GitLab token: it may be expired or revoked, lack the api scope (read_api cannot open or merge), or belong to a user below the Developer role in this project.',
    fetch: options.fetch,
    retry: options.retry,
    timeoutMs: options.timeoutMs,
    log: options.log,
  });
  // A path is one URL segment with its slashes encoded: /projects/group%2Fconfig.
  const mrs = `/projects/${encodeURIComponent(name)}/merge_requests`;
  const ref = (mr: MergeRequest): RequestRef => ({ id: String(mr.iid), number: mr.iid, url: mr.web_url });

  return {
    kind: 'gitlab',
    name,

    async openRequest({ title, body, head, base, labels }) {
      const what = `open a merge request from ${head} into ${base} in ${name}`;
      const payload: Record<string, string> = { source_branch: head, target_branch: base, title, description: body };
      if (labels?.length) payload.labels = labels.join(',');
      const { data } = await api.call<MergeRequest>('POST', mrs, { what, body: payload });
      if (typeof data?.iid !== 'number') throw api.badResponse(what, 'no merge request iid');
      return ref(data);
    },

    async findOpenRequest({ head, base }) {
      const what = `list open merge requests from ${head} into ${base} in ${name}`;
      const { data } = await api.call<MergeRequest[]>('GET', mrs, {
        what,
        query: { state: 'opened', source_branch: head, target_branch: base },
      });
      const mr = Array.isArray(data) ? data[0] : undefined;
      return mr ? ref(mr) : undefined;
    },

    async getRequest(id) {
      const iid = parseNumber(id);
      const what = `read merge request !${iid} in ${name}`;
      const { data: mr } = await api.call<MergeRequest>('GET', `${mrs}/${iid}`, { what });
      if (typeof mr?.iid !== 'number') throw api.badResponse(what, 'not a merge request');
      const { data: approvals } = await api.call<Approvals>('GET', `${mrs}/${iid}/approvals`, {
        what: `read approvals of merge request !${iid} in ${name}`,
      });
      const info: RequestInfo = {
        ...ref(mr),
        // "locked" is GitLab's state while a merge is in progress.
        state: mr.state === 'merged' ? 'merged' : mr.state === 'closed' ? 'closed' : 'open',
        title: mr.title,
        author: mr.author?.username ?? '',
        approvals: (approvals?.approved_by ?? []).flatMap((a): Approval[] => {
          const user = a.user?.username;
          if (!user) return [];
          return [a.approved_at ? { user, at: a.approved_at } : { user }];
        }),
        // GitLab's approvals API has no "changes requested"; a reviewer blocks by not approving.
        changesRequested: [],
        headSha: mr.sha,
      };
      const mergeable = mergeableOf(mr);
      if (mergeable !== undefined) info.mergeable = mergeable;
      const mergedSha = mr.merge_commit_sha ?? mr.squash_commit_sha;
      if (info.state === 'merged' && mergedSha) info.mergedSha = mergedSha;
      return info;
    },

    async comment(id, text) {
      const iid = parseNumber(id);
      await api.call('POST', `${mrs}/${iid}/notes`, {
        what: `comment on merge request !${iid} in ${name}`,
        body: { body: text },
      });
    },

    async merge(id, options = {}) {
      const iid = parseNumber(id);
      const body: Record<string, string> = {};
      if (options.sha) body.sha = options.sha;
      if (options.message) body.merge_commit_message = options.message;
      const { data } = await api.call<MergeRequest>('PUT', `${mrs}/${iid}/merge`, {
        what: `merge merge request !${iid} in ${name}`,
        body,
        merge: true,
      });
      const sha = data?.merge_commit_sha ?? data?.squash_commit_sha;
      return sha ? { sha } : {};
    },

    async close(id) {
      const iid = parseNumber(id);
      await api.call('PUT', `${mrs}/${iid}`, {
        what: `close merge request !${iid} in ${name}`,
        body: { state_event: 'close' },
      });
    },
  };
}

/**
 * `mergeable` means "merges without conflicts", as GitHub's field does; missing approvals or
 * running pipelines are not conflicts (they show as approvals, and as a 405 on merge).
 */
function mergeableOf(mr: MergeRequest): boolean | undefined {
  if (mr.has_conflicts === true) return false;
  const status = mr.detailed_merge_status;
  if (status) {
    if (CONFLICTING.has(status)) return false;
    return STILL_CHECKING.has(status) ? undefined : true;
  }
  // Older GitLab versions only have merge_status.
  if (mr.merge_status === 'can_be_merged') return true;
  if (mr.merge_status === 'cannot_be_merged') return false;
  return undefined;
}
