import { HostedError, type HostedRepo, type RequestRef } from '../hosted/index.js';
import type { CommitMessage, FileChange, Identity, Source } from '../source/index.js';
import { COMMITTER } from './writer.js';

export interface ChangeRequestInput {
  /** Branch carrying the change; created at `baseRevision` when it does not exist. */
  branch: string;
  baseRevision: string;
  changes: FileChange[];
  message: CommitMessage;
  author: Identity;
  title: string;
  body: string;
}

/**
 * Pushes a branch with one commit on top of the base revision and opens a pull/merge request
 * from it into the followed branch. Running it again (after a restart or a lost answer) finds
 * the branch and the request already there and returns the same request.
 */
export async function openChangeRequest(
  repo: HostedRepo,
  source: Source,
  input: ChangeRequestInput,
): Promise<RequestRef & { head: string }> {
  const commit = await source.commitFiles(input.changes, {
    branch: input.branch,
    startPoint: input.baseRevision,
    message: input.message,
    author: input.author,
    committer: COMMITTER,
  });
  // A local config repo reaches the forge through its `origin`; a remote one through its URL.
  await source.push({ branch: input.branch });
  const branches = { head: input.branch, base: source.branch };
  try {
    return {
      ...(await repo.openRequest({ ...branches, title: input.title, body: input.body, labels: ['sluice'] })),
      head: commit.revision,
    };
  } catch (e) {
    // "Already exists" (422 on GitHub, 409 on GitLab): an earlier attempt opened it.
    if (!(e instanceof HostedError) || (e.code !== 'HOSTED_INVALID' && e.code !== 'HOSTED_CONFLICT')) throw e;
    const found = await repo.findOpenRequest(branches);
    if (!found) throw e;
    return { ...found, head: commit.revision };
  }
}

/** A request's description: what changes, and how Sluice treats it. */
export function requestBody(o: { summary: string; diff: string; merge: 'sluice' | 'host' }): string {
  const how =
    o.merge === 'sluice'
      ? 'Approve this request to promote. Sluice commits the change onto the followed branch once every gate passes (approvals, policy, source health, soak) and closes this request with the commit; requesting changes or closing it rejects the promotion. Commits pushed to this branch are not merged.'
      : "Merging this request commits the change; no Sluice server tracks it, so the host's branch protection is what requires reviews.";
  return `${o.summary}\n\n\`\`\`diff\n${o.diff.trimEnd()}\n\`\`\`\n\n${how}\n`;
}
