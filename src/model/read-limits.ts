import { z } from 'zod';
import { ValidationError } from '../errors/index.js';

/**
 * How much of a config repo one render may read. sluice.yaml sets them (`spec.limits`) and
 * the renderers obey them, so the type and its defaults live here rather than in either.
 */
export interface ReadLimits {
  /** Bytes of one file. */
  maxFileSize: number;
  /** Bytes read by one render of one app in one environment, all files together. */
  maxRenderSize: number;
  /** Directories below the rendered directory that a walk descends. */
  maxDepth: number;
  /** Files and directories one render visits. */
  maxFiles: number;
}

const MI = 1024 * 1024;

export const DEFAULT_READ_LIMITS: Readonly<ReadLimits> = Object.freeze({
  maxFileSize: 8 * MI,
  maxRenderSize: 64 * MI,
  maxDepth: 32,
  maxFiles: 10_000,
});

/** The field of sluice.yaml that sets each limit, for hints. */
export const READ_LIMIT_FIELDS: Readonly<Record<keyof ReadLimits, string>> = Object.freeze({
  maxFileSize: 'spec.limits.maxFileSize',
  maxRenderSize: 'spec.limits.maxRenderSize',
  maxDepth: 'spec.limits.maxDepth',
  maxFiles: 'spec.limits.maxFiles',
});

const UNIT: Record<string, number> = { '': 1, Ki: 1024, Mi: MI, Gi: 1024 * MI };

/** A size in bytes: a whole number, or one with a binary unit as Kubernetes writes it (`512Ki`, `8Mi`, `1Gi`). */
export const byteSize = z.union([
  z.number().int().positive(),
  z.string().regex(/^[1-9][0-9]*(Ki|Mi|Gi)?$/, 'must be a size such as 512Ki, 8Mi or 1Gi (or a number of bytes)'),
]);

export function parseByteSize(v: number | string): number {
  if (typeof v === 'number') return v;
  const m = /^([1-9][0-9]*)(Ki|Mi|Gi)?$/.exec(v);
  if (!m) {
    throw new ValidationError('BAD_SIZE', `"${v}" is not a size`, {
      hint: 'Use a number of bytes or a number with Ki, Mi or Gi, such as 8Mi.',
    });
  }
  return Number(m[1]) * UNIT[m[2] ?? '']!;
}

/** `8 MiB`, `512 KiB`, `300 bytes`: sizes in messages. */
export function formatBytes(n: number): string {
  for (const [unit, size] of [
    ['GiB', 1024 * MI],
    ['MiB', MI],
    ['KiB', 1024],
  ] as const) {
    if (n >= size) {
      const v = n / size;
      return `${Number.isInteger(v) ? v : v.toFixed(1)} ${unit}`;
    }
  }
  return `${n} byte${n === 1 ? '' : 's'}`;
}
