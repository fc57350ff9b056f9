import { hasSha256Digest, parseImageRef, registryAllowed } from '../../model/image-ref.js';
import type { BuiltinRule, Finding } from '../types.js';
import { artifacts } from '../workloads.js';

const SHA256_HEX = /^(sha256:)?[0-9a-f]{64}$/;

export const imageTagMutable: BuiltinRule = {
  name: 'image-tag-mutable',
  description: 'Images must name an immutable version: no `:latest`, no missing tag; artifacts must carry a sha256.',
  defaultSeverity: 'warn',
  check({ object }) {
    const out: Finding[] = [];
    for (const a of artifacts(object)) {
      if (a.type === 'artifact') {
        if (!SHA256_HEX.test(a.sha256 ?? '')) {
          out.push({
            message: `artifact ${a.ref} has no sha256, so what runs can change without a commit`,
            hint: 'Add `sha256:` with the artifact checksum (`sha256sum <file>`); promotion then moves exactly that file.',
            field: a.field,
          });
        }
        continue;
      }
      const ref = parseImageRef(a.ref);
      if (ref.digest) continue;
      if (!ref.tag || ref.tag === 'latest') {
        out.push({
          message: `image ${a.ref} ${ref.tag ? 'uses the mutable tag :latest' : 'has no tag (it means :latest)'}`,
          hint: 'Pin a version tag, or better a digest (`image@sha256:…`); `sluice set-image` writes digests for you.',
          field: a.field,
        });
      }
    }
    return out;
  },
};

export const imageDigestRequired: BuiltinRule = {
  name: 'image-digest-required',
  description: 'Images must be pinned by digest (`@sha256:`), artifacts by sha256.',
  defaultSeverity: 'off',
  configuredSeverity: (p) => (p.requireDigests === undefined ? undefined : p.requireDigests ? 'error' : 'off'),
  check({ object }) {
    const out: Finding[] = [];
    for (const a of artifacts(object)) {
      const pinned = a.type === 'artifact' ? SHA256_HEX.test(a.sha256 ?? '') : hasSha256Digest(parseImageRef(a.ref));
      if (!pinned) {
        out.push({
          message: `${a.type} ${a.ref} is not pinned by sha256 digest`,
          hint:
            a.type === 'image'
              ? 'Use `name@sha256:<digest>` (`docker buildx imagetools inspect <image>` prints it), or let `sluice set-image` resolve it.'
              : 'Add `sha256:` with the artifact checksum.',
          field: a.field,
        });
      }
    }
    return out;
  },
};

export const registryAllowedRule: BuiltinRule = {
  name: 'registry-allowed',
  description: 'Images must come from a registry listed in policy.allowedRegistries.',
  defaultSeverity: 'off',
  configuredSeverity: (p) => (p.allowedRegistries ? 'error' : undefined),
  check({ object }, { policy }) {
    const allowed = policy.allowedRegistries;
    if (!allowed) return [];
    return artifacts(object)
      .filter((a) => a.type === 'image' && !registryAllowed(parseImageRef(a.ref), allowed))
      .map((a) => ({
        message: `image ${a.ref} comes from ${parseImageRef(a.ref).registry}, which is not an allowed registry`,
        hint: `Use an image from ${allowed.join(', ') || '(none allowed)'}, or add its registry to policy.allowedRegistries.`,
        field: a.field,
      }));
  },
};
