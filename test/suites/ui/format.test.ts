import { describe, expect, it } from 'vitest';
import {
  deploymentRate,
  duration,
  durationParts,
  humanDuration,
  localDay,
  location,
  percent,
  relativeTime,
  shortDigest,
  shortSha,
  timeUntil,
} from '../../../ui/src/format.js';
import { awaitsApproval } from '../../../ui/src/promotions.js';

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

  it('says when a time still to come is due', () => {
    expect(timeUntil('2025-01-01T12:00:40Z', now)).toBe('in 40s');
    expect(timeUntil('2025-01-01T12:04:00Z', now)).toBe('in 4m');
    expect(timeUntil('2025-01-01T11:59:59Z', now)).toBe('due now');
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

  it('shortens digests to twelve hex digits', () => {
    expect(shortDigest(`sha256:${'ab'.repeat(32)}`)).toBe('abababababab');
    expect(shortDigest(undefined)).toBe('—');
  });

  it('gives metric durations in the unit that fits, from seconds to days', () => {
    expect(durationParts(45_000)).toEqual({ value: '45', unit: 's' });
    expect(durationParts(4.5 * 60_000)).toEqual({ value: '4.5', unit: 'min' });
    expect(durationParts(47.5 * 60_000)).toEqual({ value: '48', unit: 'min' });
    expect(durationParts(3 * 3_600_000)).toEqual({ value: '3', unit: 'h' });
    expect(durationParts(3 * 86_400_000)).toEqual({ value: '3', unit: 'd' });
    expect(humanDuration(null)).toBe('—');
  });

  it('says deployment rates and failure rates as people say them', () => {
    expect(deploymentRate(6)).toEqual({ value: '6', unit: 'per day' });
    expect(deploymentRate(2 / 7)).toEqual({ value: '2', unit: 'per week' });
    expect(deploymentRate(2 / 30)).toEqual({ value: '2', unit: 'per month' });
    expect(deploymentRate(0)).toEqual({ value: '0', unit: 'per day' });
    expect(percent(1 / 3)).toBe('33%');
    expect(percent(null)).toBe('—');
  });

  it('buckets times by calendar day', () => {
    expect(localDay(new Date(2025, 0, 31, 23, 59))).toBe('2025-01-31');
  });

  it('counts a request as awaiting approval only while its approvals gate holds it', () => {
    const gate = (passed: boolean) => ({ gate: 'approvals' as const, passed, message: '' });
    expect(awaitsApproval({ state: 'open', gates: [gate(false)] })).toBe(true);
    expect(awaitsApproval({ state: 'open', gates: [gate(true), { gate: 'soak', passed: false, message: '' }] })).toBe(
      false,
    );
    expect(awaitsApproval({ state: 'rejected', gates: [gate(false)] })).toBe(false);
  });
});
