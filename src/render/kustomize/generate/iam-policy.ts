import { RenderError } from '../../../errors/index.js';
import { isObject, type JsonObject, type JsonValue } from '../model/json.js';
import { resourcesFromText } from '../build/resources.js';
import type { Resource } from '../resource/resource.js';

/**
 * kustomize's builtin IAMPolicyGenerator: a Kubernetes ServiceAccount bound to a cloud
 * service account (only GKE exists). kustomize formats the object as YAML text and parses it,
 * so the values go through the same scalar resolution here.
 */
export function generateIamPolicy(config: JsonObject, file: string, line: number | undefined): Resource[] {
  const cloud = text(config['cloud']);
  if (cloud !== 'gke') {
    throw new RenderError('KUSTOMIZE_GENERATOR', `cloud provider ${cloud} not supported yet`, {
      file,
      line,
      field: 'cloud',
      hint: 'IAMPolicyGenerator only knows cloud: gke.',
    });
  }
  const k8s = isObject(config['kubernetesService']) ? config['kubernetesService'] : {};
  const sa = isObject(config['serviceAccount']) ? config['serviceAccount'] : {};
  let doc =
    '\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  annotations:\n' +
    `    iam.gke.io/gcp-service-account: ${text(sa['name'])}@${text(sa['projectId'])}.iam.gserviceaccount.com\n` +
    `  name: ${text(k8s['name'])}\n`;
  const namespace = text(k8s['namespace']);
  if (namespace !== '') doc += `\n  namespace: ${namespace}`;
  return resourcesFromText(doc, file);
}

function text(v: JsonValue | undefined): string {
  return v === undefined || v === null ? '' : typeof v === 'string' ? v : String(v);
}
