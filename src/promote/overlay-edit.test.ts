import { describe, expect, it } from 'vitest';
import { parseArtifactArg } from './artifact-arg.js';
import { editOverlay } from './overlay-edit.js';

const SHA = 'a'.repeat(64);
const SHA2 = 'b'.repeat(64);

const processYaml = `# hello in dev
apiVersion: sluice.dev/v1alpha1
kind: Process
metadata:
  name: hello
  annotations:
    sluice.dev/artifact-tag: "1.0.0"
spec:
  command: "/usr/bin/node"
  args: ["-e", "x"]     # keep me
  artifact: { path: "/a/hello-1.0.0.mjs", sha256: ${SHA} }
  port: 7810           # replica ports
`;

describe('editOverlay', () => {
  it('sets a Process artifact in place, leaving every other byte as written', () => {
    const out = editOverlay(
      new Map([['o/hello.yaml', processYaml]]),
      [parseArtifactArg(`hello=/b/hello-1.1.0.mjs:1.1.0@sha256:${SHA2}`)],
      'o',
    );
    expect(out.get('o/hello.yaml')).toBe(
      processYaml
        .replace('"1.0.0"', '"1.1.0"')
        .replace('"/a/hello-1.0.0.mjs"', '"/b/hello-1.1.0.mjs"')
        .replace(SHA, SHA2),
    );
  });

  it('adds an artifact to a Process that has none', () => {
    const text =
      'kind: Process\napiVersion: sluice.dev/v1alpha1\nmetadata:\n  name: web # the web\nspec:\n  command: node\n';
    const out = editOverlay(
      new Map([['o/p.yaml', text]]),
      [parseArtifactArg(`web=file:///b/web.tgz@sha256:${SHA}`)],
      'o',
    ).get('o/p.yaml')!;
    expect(out).toContain('# the web');
    expect(out).toContain(`artifact:\n    url: file:///b/web.tgz\n    sha256: ${SHA}`);
  });

  it('writes Kustomize images: through the kustomize editor', () => {
    const k = 'resources:\n  - ../../base # base\nimages:\n  - name: ghcr.io/acme/web\n    newTag: "1.0"\n';
    const out = editOverlay(
      new Map([['o/kustomization.yaml', k]]),
      [parseArtifactArg(`ghcr.io/acme/web=ghcr.io/acme/web:1.1@sha256:${SHA}`)],
      'o',
    );
    expect(out.get('o/kustomization.yaml')).toBe(
      `resources:\n  - ../../base # base\nimages:\n  - name: ghcr.io/acme/web\n    newTag: "1.1"\n    digest: sha256:${SHA}\n`,
    );
  });

  it('sets a Compose service image by service name, and a plain Deployment container by image name', () => {
    const compose = 'services:\n  web:\n    image: ghcr.io/acme/web:1.0 # pinned\n    ports: ["80:80"]\n';
    const c = editOverlay(
      new Map([['o/compose.yaml', compose]]),
      [parseArtifactArg(`web=ghcr.io/acme/web:1.1@sha256:${SHA}`)],
      'o',
    );
    expect(c.get('o/compose.yaml')).toBe(
      `services:\n  web:\n    image: ghcr.io/acme/web:1.1@sha256:${SHA} # pinned\n    ports: ["80:80"]\n`,
    );
    const deploy =
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: "ghcr.io/acme/web:1.0"\n';
    const d = editOverlay(
      new Map([['o/web.yaml', deploy]]),
      [parseArtifactArg(`ghcr.io/acme/web=ghcr.io/acme/web:1.2@sha256:${SHA}`)],
      'o',
    );
    expect(d.get('o/web.yaml')).toBe(deploy.replace('"ghcr.io/acme/web:1.0"', `"ghcr.io/acme/web:1.2@sha256:${SHA}"`));
  });

  it('names the missing target', () => {
    expect(() =>
      editOverlay(new Map([['o/x.yaml', 'kind: ConfigMap\n']]), [parseArtifactArg(`nope=/x@sha256:${SHA}`)], 'o'),
    ).toThrow(/no a Process named "nope"|no a Process/);
  });
});

describe('parseArtifactArg', () => {
  it('reads images and files, and requires a digest', () => {
    expect(parseArtifactArg(`web=ghcr.io/acme/web:1.4@sha256:${SHA}`)).toEqual({
      kind: 'image',
      name: 'web',
      ref: 'ghcr.io/acme/web',
      tag: '1.4',
      digest: `sha256:${SHA}`,
    });
    expect(parseArtifactArg(`hello=/b/h.mjs:2.0.0@sha256:${SHA}`)).toEqual({
      kind: 'file',
      name: 'hello',
      ref: '/b/h.mjs',
      tag: '2.0.0',
      digest: `sha256:${SHA}`,
    });
    expect(() => parseArtifactArg('web=ghcr.io/acme/web:1.4')).toThrow(/digest is missing/);
    expect(() => parseArtifactArg(`web=x@sha256:abc`)).toThrow(/64 lowercase hex/);
  });
});
