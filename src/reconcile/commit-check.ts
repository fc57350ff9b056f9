import { parseProject, PROJECT_FILE, type Environment, type Project } from '../config/index.js';
import { SluiceError } from '../errors/index.js';
import type { CommitVerdict, TrustedKey } from '../source/index.js';
import type { RevisionSource } from './source.js';

/**
 * A commit an environment refuses to apply: unsigned, or signed by a key it does not trust.
 * Terminal: the same commit stays refused until a new (signed) revision arrives.
 */
export class UntrustedCommitError extends SluiceError {}

/** Throws when the environment may not apply the revision; resolves when it may. */
export type CommitCheck = (q: {
  revision: string;
  env: Environment;
  project: Project;
  /** The revision the scope last applied successfully, whose sluice.yaml says whom to trust. */
  trustedRevision?: string;
}) => Promise<void>;

/**
 * Checks the signature of the revision an environment with `requireSignedCommits` is about to
 * apply. The trusted keys come from sluice.yaml as of the revision the scope last applied, so
 * a commit cannot make its own signer trusted; a scope that never synced starts from the
 * revision at hand.
 */
export function commitSignatureCheck(
  source: Pick<RevisionSource, 'tree'> & {
    verifyCommit: (revision: string, keys: readonly TrustedKey[]) => Promise<CommitVerdict>;
  },
): CommitCheck {
  const keysAt = async (revision: string): Promise<TrustedKey[] | undefined> => {
    try {
      const fs = await source.tree(revision);
      return parseProject(new TextDecoder().decode(fs.readFile(PROJECT_FILE)), PROJECT_FILE).signing?.trustedKeys;
    } catch {
      return undefined; // an older sluice.yaml that no longer reads: the current one decides
    }
  };
  return async ({ revision, env, project, trustedRevision }) => {
    if (!env.requireSignedCommits) return;
    const keys =
      (trustedRevision && trustedRevision !== revision ? await keysAt(trustedRevision) : undefined) ??
      project.signing?.trustedKeys ??
      [];
    const short = revision.slice(0, 12);
    if (keys.length === 0) {
      throw new UntrustedCommitError(
        'COMMIT_UNTRUSTED',
        `commit ${short} refused for ${env.name}: the environment requires signed commits and no key is trusted`,
        {
          hint: 'List the signers\u2019 public keys under spec.signing.trustedKeys in sluice.yaml.',
          file: PROJECT_FILE,
        },
      );
    }
    const verdict = await source.verifyCommit(revision, keys);
    if (!verdict.trusted) {
      throw new UntrustedCommitError('COMMIT_UNTRUSTED', `commit ${short} refused for ${env.name}: ${verdict.reason}`, {
        hint: `${env.name} applies only commits signed by a key in spec.signing.trustedKeys: sign it (git commit -S) with such a key, or revert it. Nothing was applied.`,
      });
    }
  };
}
