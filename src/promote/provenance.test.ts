import { describe, expect, it } from 'vitest';
import type { ArtifactRecord, ChangeRecord } from '../store/ledger-types.js';
import { provenanceFor, provenanceOf } from './provenance.js';

const art = (tag: string, hex: string): ArtifactRecord => ({
  kind: 'image',
  name: 'web',
  ref: 'ghcr.io/acme/web',
  tag,
  digest: `sha256:${hex.repeat(64)}`,
});
const A = art('1', 'a');
const B = art('2', 'b');
const W: ArtifactRecord = { ...art('1', 'c'), name: 'worker', ref: 'ghcr.io/acme/worker' };

let id = 0;
const change = (action: ChangeRecord['action'], at: string, artifacts: ArtifactRecord[], extra = {}): ChangeRecord => ({
  id: ++id,
  project: 'shop',
  app: 'web',
  env: 'dev',
  revision: `r${id}`,
  action,
  subject: '',
  author: 'ci',
  committedAt: `2026-05-01T${at}:00.000Z`,
  recordedAt: `2026-05-01T${at}:00.000Z`,
  artifacts,
  ...extra,
});

describe('provenance of artifacts', () => {
  const changes = [
    change('set-image', '09:00', [A], { sourceCommit: 'aaa', sourceTime: '2026-05-01T08:00:00.000Z' }),
    change('set-image', '10:00', [B], { sourceCommit: 'bbb', ciRun: 'run/2' }),
    // a promotion that once recorded a borrowed source must not become a source itself
    change('promote', '11:00', [A], { sourceCommit: 'bbb' }),
    change('set-image', '12:00', [W]),
  ];

  it('is what the first set-image of the digest stated', () => {
    expect(provenanceOf(changes, A)).toEqual({ sourceCommit: 'aaa', sourceTime: '2026-05-01T08:00:00.000Z' });
    expect(provenanceOf(changes, B)).toEqual({ sourceCommit: 'bbb', ciRun: 'run/2' });
    expect(provenanceOf(changes, W)).toBeUndefined();
  });

  it('is unknown for a change whose artifacts have no source or different ones', () => {
    expect(provenanceFor(changes, [A])).toEqual({ sourceCommit: 'aaa', sourceTime: '2026-05-01T08:00:00.000Z' });
    expect(provenanceFor(changes, [A, B])).toEqual({});
    expect(provenanceFor(changes, [B, W])).toEqual({});
    expect(provenanceFor(changes, [])).toEqual({});
  });
});
