/**
 * A pull request (GitHub) or merge request (GitLab) on the forge hosting the config repo.
 * `id` is what every other method takes back: the request's number, as a string.
 */
export interface RequestRef {
  id: string;
  /** The number people see: #12 on GitHub, !12 on GitLab. */
  number: number;
  /** Web page of the request. */
  url: string;
}

export type RequestState = 'open' | 'merged' | 'closed';

export interface Approval {
  /** Login (GitHub) or username (GitLab). */
  user: string;
  /** When the approval was given, when the host says. */
  at?: string;
  /** Commit the approval was given on (GitHub reviews carry it). */
  sha?: string;
}

export interface RequestInfo extends RequestRef {
  state: RequestState;
  title: string;
  author: string;
  /** Current approvals, one per user. */
  approvals: Approval[];
  /** Reviewers whose latest word is "changes requested" (GitHub reviews; always empty on GitLab). */
  changesRequested: Approval[];
  /** Head commit of the source branch. */
  headSha: string;
  /**
   * Once merged, the commit the host says it made of the request (merge, squash or rebase
   * commit). Absent while open, and for a fast-forward merge, where the head itself landed.
   */
  mergedSha?: string;
  /**
   * Whether the request merges without conflicts, once the host has computed it; undefined
   * while it is still checking. Missing approvals or checks do not make it false.
   */
  mergeable?: boolean;
}

export interface OpenRequestInput {
  title: string;
  body: string;
  /** Branch with the change. */
  head: string;
  /** Branch to merge into. */
  base: string;
  labels?: string[];
}

export interface MergeOptions {
  /** Merge only if the head is still this commit (what was approved). */
  sha?: string;
  /** Commit message or title for the merge commit. */
  message?: string;
}

export interface HostedRepo {
  readonly kind: 'github' | 'gitlab';
  /** `owner/repo` or the GitLab project path, for messages. */
  readonly name: string;
  openRequest(input: OpenRequestInput): Promise<RequestRef>;
  /** The open request from `head` into `base`, if there is one (to resume after a restart). */
  findOpenRequest(branches: { head: string; base: string }): Promise<RequestRef | undefined>;
  getRequest(id: string | number): Promise<RequestInfo>;
  comment(id: string | number, text: string): Promise<void>;
  /** Merges; returns the merge commit when the host reports it. */
  merge(id: string | number, options?: MergeOptions): Promise<{ sha?: string }>;
  close(id: string | number): Promise<void>;
}

export interface HostedLog {
  debug?(data: object, msg: string): void;
  warn?(data: object, msg: string): void;
}

export interface RetryOptions {
  /** Attempts per call, including the first. Default 4. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A rate limit asking to wait longer than this fails at once. Default 60 s. */
  maxRetryAfterMs: number;
}

/** What both constructors accept besides the repository and token. */
export interface ClientOptions {
  fetch?: typeof fetch;
  retry?: Partial<RetryOptions>;
  /** Limit per HTTP attempt; default 30 s. */
  timeoutMs?: number;
  log?: HostedLog;
}
