import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { projectSchema } from '../../config/schema.js';
import { dockerProjectFiles, SAMPLE_IMAGE } from './scaffold.js';

const files = dockerProjectFiles({
  project: 'shop',
  basePort: 7400,
  sample: () => {
    throw new Error('the docker sample is an image, not the node sample');
  },
});

describe('sluice init --target docker', () => {
  it('writes a project whose environments all run on the docker target', () => {
    const project = projectSchema.parse(parse(files['sluice.yaml']!));
    expect(project.spec.environments.map((e) => e.name)).toEqual(['dev', 'staging', 'prod']);
    expect(Object.values(project.spec.targets).map((t) => t.provider)).toEqual(['docker']);
  });

  it('writes a compose app with a port of its own per environment and a locally built image', () => {
    const base = parse(files['apps/hello/base/compose.yaml']!) as { services: { hello: { image: string } } };
    expect(base.services.hello.image).toBe(SAMPLE_IMAGE);
    const ports = ['dev', 'staging', 'prod'].map(
      (e) =>
        (parse(files[`apps/hello/overlays/${e}/compose.yaml`]!) as { services: { hello: { ports: string[] } } })
          .services.hello.ports[0],
    );
    expect(ports).toEqual(['127.0.0.1:7410:8080', '127.0.0.1:7420:8080', '127.0.0.1:7430:8080']);
    expect(files['images/hello/Dockerfile']).toMatch(/^FROM scratch$/m);
    expect(files['images/hello/build.sh']).toContain(`docker build -t "sluice-sample/hello:$tag"`);
  });
});
