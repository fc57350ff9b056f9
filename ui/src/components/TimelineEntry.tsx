import type { LedgerEntry } from '../api/types.ts';
import { shortDigest, shortSha } from '../format.ts';
import { ArtifactList } from './ArtifactList.tsx';
import { ChainStep } from './ChainStep.tsx';
import { EntryStatusBadge } from './EntryStatusBadge.tsx';
import { LedgerSyncList } from './LedgerSyncList.tsx';
import { RelativeTime } from './RelativeTime.tsx';
import { RequestSummary } from './RequestSummary.tsx';
import { Revision } from './Revision.tsx';
import { VerificationResult } from './VerificationResult.tsx';

const ACTIONS: Record<string, string> = {
  'set-image': 'set image',
  promote: 'promotion',
  rollback: 'rollback',
  commit: 'commit',
};

/**
 * One change, as a chain read top to bottom: where its code came from, what it runs, who let it
 * in, the commit, the syncs that applied it, whether it verified, and what undid it.
 */
export function TimelineEntry({ entry }: { entry: LedgerEntry }) {
  const { change, promotion, syncs, verifications } = entry;
  const subject = change.subject.split('\n')[0];
  // A rollback or plain commit names no artifacts; what its sync applied says what it brought back.
  const appliedBy = change.artifacts.length
    ? undefined
    : syncs.find((s) => s.result === 'Succeeded' && s.artifacts?.length);
  const artifacts = appliedBy?.artifacts ?? change.artifacts;
  // What the change runs, in the words people use ("hello 1.1.0"); a plain commit says what it was.
  const headline = artifacts.map((a) => `${a.name} ${a.tag ?? shortDigest(a.digest)}`).join(', ') || subject;
  return (
    <li
      className={`timeline-entry entry-${entry.status}`}
      data-testid="timeline-entry"
      data-revision={change.revision}
      data-action={change.action}
      data-status={entry.status}
    >
      <div className="entry-head">
        <EntryStatusBadge status={entry.status} />
        <strong className="entry-action" data-testid="entry-action">
          {ACTIONS[change.action] ?? change.action}
          {change.fromEnv && <> from {change.fromEnv}</>}
        </strong>
        <span className="entry-subject" data-testid="entry-headline" title={subject}>
          {headline}
        </span>
        {change.flagged && (
          <span className="entry-flag" title={change.flagged} data-testid="entry-flag">
            ⚑ {change.flagged}
          </span>
        )}
        <span className="entry-when muted">
          {entry.deployedAt ? (
            <>
              live <RelativeTime iso={entry.deployedAt} />
            </>
          ) : (
            <>
              committed <RelativeTime iso={change.committedAt} />
            </>
          )}
        </span>
      </div>
      <dl className="chain">
        {(change.sourceCommit || change.sourceTime || change.ciRun) && (
          <ChainStep label="Source" testId="entry-source">
            {change.sourceCommit ? (
              <code title={change.sourceCommit}>{shortSha(change.sourceCommit)}</code>
            ) : (
              'unknown commit'
            )}
            {change.sourceTime && (
              <span className="muted">
                {' '}
                written <RelativeTime iso={change.sourceTime} />
              </span>
            )}
            {change.ciRun && (
              <>
                {' '}
                · <a href={change.ciRun}>CI run</a>
              </>
            )}
          </ChainStep>
        )}
        <ChainStep label="Artifacts" testId="entry-artifacts">
          <ArtifactList artifacts={artifacts} />
          {appliedBy && <span className="muted">as sync #{appliedBy.id} applied them</span>}
        </ChainStep>
        {promotion && (
          <ChainStep label="Request" testId="entry-request">
            <RequestSummary promotion={promotion} />
          </ChainStep>
        )}
        <ChainStep label="Commit" testId="entry-commit">
          <Revision revision={change.revision} testId="entry-revision" /> <span className="muted">by</span>{' '}
          <span data-testid="entry-author">{change.author}</span>{' '}
          <span className="muted">
            <RelativeTime iso={change.committedAt} />
          </span>
          <div className="entry-message" data-testid="entry-message" title={change.subject}>
            {subject}
          </div>
        </ChainStep>
        <ChainStep label="Syncs" testId="entry-sync-step" tone={syncTone(entry)}>
          <LedgerSyncList syncs={syncs} />
        </ChainStep>
        {verifications.length > 0 && (
          <ChainStep label="Verified" testId="entry-verification" tone={entry.verificationFailed ? 'bad' : 'ok'}>
            {verifications.map((v) => (
              <VerificationResult key={v.id} verification={v} />
            ))}
          </ChainStep>
        )}
        {(change.rollbackOf || entry.rolledBackBy) && (
          <ChainStep label="Rollback" testId="entry-rollback" tone="warn">
            {change.rollbackOf && (
              <span data-testid="rollback-of">
                undid <Revision revision={change.rollbackOf} testId="undid-revision" />
              </span>
            )}
            {entry.rolledBackBy && (
              <span data-testid="rolled-back-by">
                undone by <Revision revision={entry.rolledBackBy} testId="undone-by-revision" />
              </span>
            )}
          </ChainStep>
        )}
      </dl>
    </li>
  );
}

function syncTone(entry: LedgerEntry): 'ok' | 'bad' | undefined {
  if (entry.deployedAt) return 'ok';
  if (entry.syncs.some((s) => s.result === 'Failed')) return 'bad';
  return undefined;
}
