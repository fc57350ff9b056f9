import type { Scope } from '../types.js';
import { prepareLaunch } from './launch.js';
import type { Layout } from './layout.js';
import type { SpecVersion } from './replica.js';
import type { Sealer } from './sealing.js';
import type { ProcessSpec } from './spec.js';
import { redactSpec, specHash } from './spec-hash.js';

/**
 * Everything needed to start replicas of one spec. Resolving the command and verifying the
 * artifact happen here, before any running replica is touched.
 */
export async function buildSpecVersion(
  layout: Layout,
  sealer: Sealer,
  scope: Scope,
  name: string,
  spec: ProcessSpec,
  revision: string,
  reason: string,
): Promise<SpecVersion> {
  const redacted = redactSpec(spec, sealer);
  return {
    spec,
    redacted,
    specHash: specHash(redacted),
    sealedSpec: sealer.seal(spec),
    template: await prepareLaunch(layout, scope, name, spec, revision),
    revision,
    reason,
  };
}
