import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseImageArg, setImages } from './edit.js';

const images = (text: string) => (parse(text) as { images: unknown }).images;

// Expected lists were produced by `kustomize edit set image` v5.8.1 on the same input.
describe('setImages (kustomize edit set image)', () => {
  it('replaces entries, preserves with *, adds and sorts like kustomize', () => {
    const input = [
      '# overlay for prod',
      'resources:',
      '- ../base # the base',
      'images:',
      '- name: nginx # web server',
      '  newName: my/nginx',
      '  newTag: "1.0"',
      '- name: redis',
      '  digest: sha256:abc',
      '',
    ].join('\n');
    const out = setImages(input, ['nginx:1.2', 'postgres=pg.example.com/postgres:16@sha256:def', 'redis=*:7']);
    expect(images(out)).toEqual([
      { name: 'nginx', newTag: '1.2' },
      { name: 'postgres', newName: 'pg.example.com/postgres', newTag: '16', digest: 'sha256:def' },
      { name: 'redis', newTag: '7' },
    ]);
    expect(out).toContain('# overlay for prod');
    expect(out).toContain('- ../base # the base');
    expect(out).toContain('- name: nginx # web server');
    expect(out.startsWith('# overlay for prod\nresources:\n- ../base')).toBe(true);
  });

  it('keeps the other fields when * is used', () => {
    const out = setImages('images:\n- name: app\n  newName: reg/app\n  newTag: v1\n', ['app=*:v2']);
    expect(images(out)).toEqual([{ name: 'app', newName: 'reg/app', newTag: 'v2' }]);
    expect(out).toBe('images:\n- name: app\n  newName: reg/app\n  newTag: v2\n');
  });

  it('drops fields the new value does not carry', () => {
    const out = setImages('images:\n- name: app\n  newName: reg/app\n  newTag: v1\n', ['app=reg/app2']);
    expect(images(out)).toEqual([{ name: 'app', newName: 'reg/app2' }]);
  });

  it('creates the list, keeps numeric-looking tags as strings and handles registry ports', () => {
    const out = setImages('resources: []\n', ['app:1.0', 'b@sha256:123', 'reg:5000/c:3']);
    expect(images(out)).toEqual([
      { name: 'app', newTag: '1.0' },
      { name: 'b', digest: 'sha256:123' },
      { name: 'reg:5000/c', newTag: '3' },
    ]);
  });

  it('rejects an argument without tag, digest or new name', () => {
    expect(() => parseImageArg('app')).toThrow(/invalid format of image/);
  });

  it('keeps a comment on the edited value', () => {
    const out = setImages('images:\n- name: app\n  newTag: v1 # bumped by CI\n', ['app:v2']);
    expect(out).toBe('images:\n- name: app\n  newTag: v2 # bumped by CI\n');
  });
});
