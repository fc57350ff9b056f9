import { describe, expect, it } from 'vitest';
import { duration, location, relativeTime, shortSha } from '../../../ui/src/format.js';

describe('dashboard formatting', () => {
  const now = Date.parse('2025-01-01T12:00:00Z');

  it('counts relative time in the largest whole unit', () => {
    expect(relativeTime('2025-01-01T11:59:48Z', now)).toBe('12s ago');
    expect(relativeTime('2025-01-01T11:56:00Z', now)).toBe('4m ago');
    expect(relativeTime('2025-01-01T09:00:00Z', now)).toBe('3h ago');
    expect(relativeTime('2024-12-29T12:00:00Z', now)).toBe('3d ago');
    expect(relativeTime(undefined, now)).toBe('never');
  });

  it('reads a timestamp from a server clock slightly ahead as just now', () => {
    expect(relativeTime('2025-01-01T12:00:02Z', now)).toBe('just now');
  });

  it('shortens revisions and says when there is none', () => {
    expect(shortSha('0123456789abcdef0123456789abcdef01234567')).toBe('0123456');
    expect(shortSha(undefined)).toBe('—');
  });

  it('shows durations of running, fast and slow syncs', () => {
    expect(duration('2025-01-01T12:00:00Z', undefined)).toBe('…');
    expect(duration('2025-01-01T12:00:00.000Z', '2025-01-01T12:00:00.250Z')).toBe('250 ms');
    expect(duration('2025-01-01T12:00:00Z', '2025-01-01T12:00:04.5Z')).toBe('4.5 s');
    expect(duration('2025-01-01T12:00:00Z', '2025-01-01T12:02:05Z')).toBe('2m 5s');
  });

  it('points at file and line the way editors link them', () => {
    expect(location({ file: 'apps/hello/base/process.yaml', line: 7 })).toBe('apps/hello/base/process.yaml:7');
    expect(location({ file: 'sluice.yaml' })).toBe('sluice.yaml');
    expect(location({})).toBeUndefined();
  });
});
