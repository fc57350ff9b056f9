import type { OriginInfo, Resource } from '../resource/resource.js';

/** The `config.kubernetes.io/origin` annotation text (a small YAML document). */
export function originAnnotation(r: Resource): string | undefined {
  return r.origin ? originText(r.origin) : undefined;
}

export function originText(o: OriginInfo): string {
  let s = '';
  if (o.path) s += `path: ${o.path}\n`;
  if (o.configuredIn) s += `configuredIn: ${o.configuredIn}\n`;
  if (o.configuredBy) {
    s += 'configuredBy:\n';
    s += `  apiVersion: ${o.configuredBy.apiVersion}\n  kind: ${o.configuredBy.kind}\n`;
    if (o.configuredBy.name) s += `  name: ${o.configuredBy.name}\n`;
    if (o.configuredBy.namespace) s += `  namespace: ${o.configuredBy.namespace}\n`;
  }
  return s;
}

export function transformationsAnnotation(r: Resource): string | undefined {
  if (r.transformations.length === 0) return undefined;
  return r.transformations.map((t) => `- ${originText(t).trimEnd().replace(/\n/g, '\n  ')}\n`).join('');
}
