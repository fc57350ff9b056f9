import { describe, expect, it } from 'vitest';
import type { Resource } from '../../model/resource.js';
import { dockerTarget } from './target.js';

const web: Resource = {
  apiVersion: 'compose.sluice.dev/v1',
  kind: 'Service',
  metadata: { name: 'web' },
  spec: { image: 'registry.example.com/shop/web:1.0.0@sha256:' + 'a'.repeat(64), deploy: { replicas: 3 } },
};

describe('the docker target kind', () => {
  it('defaults to the local socket and refuses a host it cannot reach', () => {
    expect(dockerTarget.targetSchema.parse({ provider: 'docker' })).toMatchObject({
      host: 'unix:///var/run/docker.sock',
      pruneVolumes: false,
    });
    expect(dockerTarget.targetSchema.safeParse({ provider: 'docker', host: 'docker.example.com' }).success).toBe(false);
    expect(
      dockerTarget.targetSchema.safeParse({ provider: 'docker', host: 'ssh://deploy@docker.example.com' }).success,
    ).toBe(true);
  });

  it('shows a service to policy with its image and replicas', () => {
    expect(dockerTarget.workloads(web)).toMatchObject({
      artifacts: [{ field: 'spec.image', type: 'image' }],
      replicas: [{ count: 3, field: 'spec.deploy.replicas' }],
      containers: [{ name: 'web', kind: 'service' }],
    });
  });

  it('records the image by digest and writes a new one back into spec.image', () => {
    const [artifact] = dockerTarget.appliedArtifacts(web);
    expect(artifact).toEqual({
      kind: 'image',
      name: 'registry.example.com/shop/web',
      ref: 'registry.example.com/shop/web',
      tag: '1.0.0',
      digest: 'sha256:' + 'a'.repeat(64),
    });
    expect(dockerTarget.artifactEdits(web, { ...artifact!, tag: '1.1.0', digest: 'sha256:' + 'b'.repeat(64) })).toEqual(
      [{ path: ['spec', 'image'], value: `registry.example.com/shop/web:1.1.0@sha256:${'b'.repeat(64)}` }],
    );
    expect(dockerTarget.artifactEdits(web, { kind: 'image', name: 'other', ref: 'other', tag: '2' })).toEqual([]);
  });

  it('gives the published ports of live containers to verification', () => {
    const live = {
      key: 'Service.compose.sluice.dev/web',
      object: {
        ...web,
        status: {
          containers: [
            { name: 'web-dev-web-1', ports: [{ target: 8080, published: 18080, protocol: 'tcp' }] },
            { name: 'web-dev-web-2', ports: [] },
          ],
        },
      },
    };
    expect(dockerTarget.endpoints([live])).toEqual([{ port: 18080 }]);
  });
});
