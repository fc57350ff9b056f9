/**
 * The `hosted` part: promotion requests as real pull requests (GitHub) or merge requests
 * (GitLab) on the forge that hosts the config repo, through their REST APIs.
 *
 * ```ts
 * const hosting = detectHosting(remoteUrl, selfHostedBases);           // pure
 * const repo = hosting?.kind === 'github'
 *   ? githubRepo({ apiUrl: hosting.apiUrl, owner: hosting.owner, repo: hosting.repo, token })
 *   : gitlabRepo({ apiUrl: hosting.apiUrl, project: hosting.project, token });
 * const req = await repo.openRequest({ title, body, head: 'sluice/promote-payments-prod', base: 'main', labels: ['sluice'] });
 * const info = await repo.getRequest(req.id);  // state, author, approvals [{ user, at?, sha? }], headSha, mergeable?
 * await repo.merge(req.id, { sha: info.headSha }); // merges only what was approved
 * ```
 *
 * Failures are HostedError (HOSTED_AUTH, HOSTED_NOT_FOUND, HOSTED_NOT_MERGEABLE,
 * HOSTED_CONFLICT, HOSTED_INVALID, HOSTED_RATE_LIMITED, HOSTED_UNAVAILABLE, HOSTED_UNREACHABLE,
 * HOSTED_HTTP, HOSTED_BAD_RESPONSE) with the host's message and a hint. 5xx answers, network
 * failures and rate limits with a stated wait are retried with capped backoff. Tokens travel
 * only in headers to the configured API origin and are scrubbed from every message. The
 * exact calls are listed in docs/hosted.md.
 */
export { githubRepo, currentReviews } from './github.js';
export type { GithubRepoOptions } from './github.js';
export { gitlabRepo } from './gitlab.js';
export type { GitlabRepoOptions } from './gitlab.js';
export { detectHosting } from './detect.js';
export type { Hosting, SelfHostedBase } from './detect.js';
export { HostedError } from './errors.js';
export type {
  HostedRepo,
  RequestRef,
  RequestInfo,
  RequestState,
  Approval,
  OpenRequestInput,
  MergeOptions,
  ClientOptions,
  RetryOptions,
  HostedLog,
} from './types.js';
export { commitLink } from './links.js';
