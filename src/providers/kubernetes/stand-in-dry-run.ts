import type { Resource } from '../../model/resource.js';
import type { KubeClient } from './client.js';
import { KubeApiError } from './client.js';
import { describeApiError } from './apply.js';
import { resourcePath, type ResourceInfo } from './discovery.js';
import { FIELD_MANAGER } from './labels.js';

/**
 * An object whose namespace the same sync creates cannot be dry-run where it will live: the
 * API server refuses anything in a namespace that does not exist yet. So it is dry-run created
 * in a namespace that always exists, where schema, unknown fields and the type's own validation
 * run just the same, and only what the manifest alone decides counts as a refusal (422, or a
 * 400 from strict decoding). Anything the stand-in namespace itself causes (its admission
 * policies, quotas, RBAC, a name already taken there) is inconclusive and left to the real apply.
 */

const STAND_IN = 'default';

export async function dryRunInStandIn(client: KubeClient, info: ResourceInfo, desired: Resource): Promise<void> {
  const body = { ...desired, metadata: { ...desired.metadata, namespace: STAND_IN } };
  try {
    await client.request('POST', resourcePath(info, STAND_IN), {
      query: { dryRun: 'All', fieldManager: FIELD_MANAGER, fieldValidation: 'Strict' },
      body,
    });
  } catch (e) {
    if (!(e instanceof KubeApiError) || !refusesTheManifest(e)) return;
    throw describeApiError(e, desired, 'dry-run create of');
  }
}

function refusesTheManifest(e: KubeApiError): boolean {
  if (/admission webhook|denied the request/i.test(e.message)) return false;
  return e.statusCode === 422 || e.statusCode === 400;
}
