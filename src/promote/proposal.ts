import type { ArtifactRecord, PromotionKind } from '../store/ledger-types.js';
import { formatArtifacts } from './artifact-arg.js';
import type { SourceState } from './gates.js';

/** Who asked, and what they said about where the artifacts come from. */
export interface ChangeContext {
  app: string;
  env: string;
  actor: string;
  dryRun?: boolean;
  sourceCommit?: string;
  sourceTime?: string;
  ciRun?: string;
}

/** A change to an environment's artifacts: set directly, or promoted from another environment. */
export interface Proposal extends ChangeContext {
  kind: PromotionKind;
  artifacts: ArtifactRecord[];
  fromEnv?: string;
  source?: SourceState;
}

/** The provenance a change carries into its commit trailers, without empty fields. */
export function optionalContext(
  p: Pick<ChangeContext, 'sourceCommit' | 'sourceTime' | 'ciRun'>,
): Pick<ChangeContext, 'sourceCommit' | 'sourceTime' | 'ciRun'> {
  return {
    ...(p.sourceCommit ? { sourceCommit: p.sourceCommit } : {}),
    ...(p.sourceTime ? { sourceTime: p.sourceTime } : {}),
    ...(p.ciRun ? { ciRun: p.ciRun } : {}),
  };
}

/** A change's one-line subject, as commits and notifications show it. */
export function describeProposal(p: Pick<Proposal, 'kind' | 'app' | 'env' | 'fromEnv' | 'artifacts'>): string {
  const what = formatArtifacts(
    p.artifacts.map((a) => ({ ...a, ref: a.ref.length > 40 ? `…${a.ref.slice(-38)}` : a.ref })),
  );
  if (p.kind === 'promote') return `Promote ${p.app} from ${p.fromEnv} to ${p.env}: ${what}`;
  return `Set ${p.app} in ${p.env} to ${what}`;
}
