import { describe, expect, it } from 'vitest';
import { editOverlay } from '../../promote/overlay-edit.js';
import { parseArtifactArg } from '../../promote/index.js';
import { MemoryFs } from '../../vfs/index.js';
import { pinImage } from '../registry.js';
import { renderCompose } from './renderer.js';

const SHA = 'sha256:' + 'ab'.repeat(32);

describe('compose pinImage', () => {
  it('replaces an image the overlay sets, leaving every other byte as written', () => {
    const text = [
      '# prod overrides',
      'services:',
      '  web:',
      "    image: 'ghcr.io/acme/web:1.0'   # pinned by set-image",
      '    restart: always',
      '  worker:',
      '    image: ghcr.io/acme/worker:1.0',
      '',
    ].join('\n');
    const out = pinImage(new Map([['o/compose.yaml', text]]), 'o', {
      name: 'web',
      ref: 'ghcr.io/acme/web',
      tag: '1.1',
      digest: SHA,
    });
    expect(out).toEqual({
      path: 'o/compose.yaml',
      text: text.replace("'ghcr.io/acme/web:1.0'", `"ghcr.io/acme/web:1.1@${SHA}"`),
    });
  });

  it('finds services by the image they run', () => {
    const text = 'services:\n  a:\n    image: ghcr.io/acme/web:1.0\n  b:\n    image: ghcr.io/acme/web:1.0 # same\n';
    const out = pinImage(new Map([['o/compose.yaml', text]]), 'o', { name: 'ghcr.io/acme/web', tag: '2.0' });
    expect(out!.text).toBe(text.replaceAll('web:1.0', 'web:2.0'));
  });

  it('adds a minimal override for a service the overlay does not mention, keeping its comments', () => {
    const text = '# prod\nservices:\n  db:\n    restart: always # keep\n';
    const out = pinImage(new Map([['o/compose.yaml', text]]), 'o', {
      name: 'web',
      ref: 'ghcr.io/acme/web',
      digest: SHA,
    });
    expect(out!.text).toBe(
      `# prod\nservices:\n  db:\n    restart: always # keep\n  web:\n    image: ghcr.io/acme/web@${SHA}\n`,
    );
  });

  it('adds services: to an overlay file without it', () => {
    const out = pinImage(new Map([['o/compose.yaml', 'networks: {}\n']]), 'o', { name: 'web', ref: 'web', tag: '3' });
    expect(out!.text).toBe('networks: {}\nservices:\n  web:\n    image: web:3\n');
  });

  it('leaves other formats alone', () => {
    expect(pinImage(new Map([['o/web.yaml', 'kind: Deployment\n']]), 'o', { name: 'web', ref: 'web' })).toBeUndefined();
  });

  it('set-image through the promotion path renders the new image on the merged project', () => {
    const base = 'services:\n  web:\n    image: ghcr.io/acme/web:1.0\n    ports: ["8080:80"]\n';
    const overlay = '# prod\nservices:\n  web:\n    restart: always\n';
    const edits = editOverlay(
      new Map([['apps/web/overlays/prod/compose.yaml', overlay]]),
      [parseArtifactArg(`web=ghcr.io/acme/web:1.1@${SHA}`)],
      'apps/web/overlays/prod',
    );
    const fs = MemoryFs.fromFiles({
      'apps/web/base/compose.yaml': base,
      'apps/web/overlays/prod/compose.yaml': edits.get('apps/web/overlays/prod/compose.yaml')!,
    });
    const [web] = renderCompose(fs, 'apps/web/overlays/prod');
    expect(web!.object.spec).toMatchObject({ image: `ghcr.io/acme/web:1.1@${SHA}`, restart: 'always' });
  });
});
