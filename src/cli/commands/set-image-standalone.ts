import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ValidationError } from '../../errors/index.js';
import {
  parseArtifactArg,
  PromotionError,
  setImageInRepo,
  type ChangeContext,
  type StandaloneOutcome,
} from '../../promote/index.js';
import { Source } from '../../source/index.js';
import { openStore } from '../../store/index.js';

function isRemote(repo: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(repo) || /^[^/]+@[^:]+:/.test(repo);
}

/**
 * set-image against the config repo itself, for a CI job without a Sluice server. Everything
 * it needs (a fetch cache for a remote, a scratch store) lives in a temporary directory that
 * is removed afterwards: the server that follows the repo records the commit from its trailers.
 */
export async function setImageStandalone(
  o: ChangeContext & { repo: string; branch?: string; artifacts: string[] },
): Promise<StandaloneOutcome> {
  const scratch = mkdtempSync(join(tmpdir(), 'sluice-set-image-'));
  const store = openStore(scratch);
  const spec = isRemote(o.repo) ? { url: o.repo } : { path: resolve(o.repo) };
  const source = await Source.open(
    { ...spec, ...(o.branch ? { branch: o.branch } : {}) },
    // The one thing worth telling here: a checked-out copy of the branch that could not follow.
    { dataDir: scratch, log: { debug() {}, info() {}, warn: (_d, msg) => process.stderr.write(`warning: ${msg}\n`) } },
  );
  try {
    const { repo: _r, branch: _b, artifacts, ...ctx } = o;
    return await setImageInRepo(
      {
        source,
        store,
      },
      { ...ctx, artifacts: artifacts.map(parseArtifactArg) },
    ).catch((e: unknown) => {
      // The same refusal a server answers with 422: invalid input for this change (exit 3).
      if (e instanceof PromotionError && e.code !== 'PROMOTE_RETRIES_EXHAUSTED')
        throw new ValidationError(e.code, e.message, { ...e.location, ...(e.hint ? { hint: e.hint } : {}), cause: e });
      throw e;
    });
  } finally {
    source.close();
    await store.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}
