import { parse } from '@marcbachmann/cel-js';
import type { HealthStatus } from '../../plan/types.js';
import type { Resource } from '../../model/resource.js';
import type { HealthVerdict } from './health.js';

/**
 * Custom health as a CEL expression over `object` (the live object). It may return a bool
 * (true: Healthy, false: Progressing), a status name ("Degraded"), or a map with `status`
 * and `message`. A broken expression yields Unknown with the error, never a crash.
 */

const STATUSES = new Set<HealthStatus>(['Healthy', 'Progressing', 'Degraded', 'Missing', 'Suspended', 'Unknown']);
const compiled = new Map<string, ReturnType<typeof parse> | Error>();

function compile(expression: string): ReturnType<typeof parse> | Error {
  let fn = compiled.get(expression);
  if (!fn) {
    try {
      fn = parse(expression);
    } catch (e) {
      fn = e instanceof Error ? e : new Error(String(e));
    }
    compiled.set(expression, fn);
  }
  return fn;
}

function toVerdict(value: unknown): HealthVerdict | undefined {
  if (typeof value === 'boolean')
    return value ? { status: 'Healthy' } : { status: 'Progressing', message: 'health expression is false' };
  if (typeof value === 'string' && STATUSES.has(value as HealthStatus)) return { status: value as HealthStatus };
  const map = value instanceof Map ? Object.fromEntries(value) : value;
  if (typeof map === 'object' && map !== null) {
    const { status, message } = map as { status?: unknown; message?: unknown };
    if (typeof status === 'string' && STATUSES.has(status as HealthStatus)) {
      return typeof message === 'string'
        ? { status: status as HealthStatus, message }
        : { status: status as HealthStatus };
    }
  }
  return undefined;
}

export function evaluateCelHealth(expression: string, object: Resource): HealthVerdict {
  const fn = compile(expression);
  if (fn instanceof Error) return { status: 'Unknown', message: `health expression does not parse: ${fn.message}` };
  try {
    const value: unknown = fn({ object });
    return (
      toVerdict(value) ?? {
        status: 'Unknown',
        message: `health expression returned ${String(value)}; expected a bool or a status name`,
      }
    );
  } catch (e) {
    return { status: 'Unknown', message: `health expression failed: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** The parse error of an expression, or undefined when it parses; for checking configuration up front. */
export function celParseError(expression: string): string | undefined {
  const fn = compile(expression);
  return fn instanceof Error ? fn.message : undefined;
}
