import type { CommitMessage, Trailer } from '../source/index.js';
import type { ArtifactRecord, ChangeAction } from '../store/ledger-types.js';
import { formatArtifacts, parseArtifactList } from './artifact-arg.js';

/** What a Sluice commit says about itself in its trailers, so any reader (and the ledger) can link it. */
export interface ChangeTrailers {
  action: ChangeAction;
  app: string;
  env: string;
  artifacts: ArtifactRecord[];
  actor?: string;
  fromEnv?: string;
  sourceCommit?: string;
  sourceTime?: string;
  ciRun?: string;
  promotionId?: number;
  approvedBy?: string[];
  rollbackOf?: string;
  /** A deliberate rollback: why what it undid was not a failure. */
  notAFailure?: string;
}

export function changeMessage(subject: string, t: ChangeTrailers, body?: string): CommitMessage {
  const trailers: Trailer[] = [
    { key: 'Sluice-Action', value: t.action },
    { key: 'Sluice-App', value: t.app },
    { key: 'Sluice-Env', value: t.env },
  ];
  const add = (key: string, value: string | undefined) => value && trailers.push({ key, value });
  add('Sluice-From-Env', t.fromEnv);
  add('Sluice-Artifacts', t.artifacts.length ? formatArtifacts(t.artifacts) : undefined);
  add('Sluice-Source-Commit', t.sourceCommit);
  add('Sluice-Source-Time', t.sourceTime);
  add('Sluice-CI-Run', t.ciRun);
  add('Sluice-Promotion', t.promotionId !== undefined ? String(t.promotionId) : undefined);
  add('Sluice-Approved-By', t.approvedBy?.length ? t.approvedBy.join(', ') : undefined);
  add('Sluice-Rollback-Of', t.rollbackOf);
  add('Sluice-Not-A-Failure', t.notAFailure);
  add('Sluice-Actor', t.actor);
  return { subject, ...(body ? { body } : {}), trailers };
}

/** Reads the trailers of a commit Sluice wrote; undefined for any other commit. */
export function readChangeTrailers(trailers: readonly Trailer[]): ChangeTrailers | undefined {
  const get = (key: string) => trailers.find((t) => t.key.toLowerCase() === key.toLowerCase())?.value;
  const action = get('Sluice-Action');
  const app = get('Sluice-App');
  const env = get('Sluice-Env');
  if (!action || !app || !env || !['set-image', 'promote', 'rollback'].includes(action)) return undefined;
  const out: ChangeTrailers = {
    action: action as ChangeAction,
    app,
    env,
    artifacts: parseArtifactList(get('Sluice-Artifacts') ?? ''),
  };
  const opt = {
    fromEnv: 'Sluice-From-Env',
    sourceCommit: 'Sluice-Source-Commit',
    sourceTime: 'Sluice-Source-Time',
    ciRun: 'Sluice-CI-Run',
    rollbackOf: 'Sluice-Rollback-Of',
    notAFailure: 'Sluice-Not-A-Failure',
    actor: 'Sluice-Actor',
  } as const;
  for (const [field, key] of Object.entries(opt)) {
    const v = get(key);
    if (v) out[field as keyof typeof opt] = v;
  }
  const promotion = Number(get('Sluice-Promotion'));
  if (Number.isInteger(promotion) && promotion > 0) out.promotionId = promotion;
  const approved = get('Sluice-Approved-By');
  if (approved) out.approvedBy = approved.split(/,\s*/);
  return out;
}
