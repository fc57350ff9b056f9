import { HostedError } from './errors.js';

/** A request id as callers hold it: 12, "12", "#12" or "!12". */
export function parseNumber(id: string | number): number {
  const n = typeof id === 'number' ? id : Number(String(id).trim().replace(/^[#!]/, ''));
  if (!Number.isInteger(n) || n <= 0) {
    throw new HostedError('HOSTED_INVALID', `not a pull or merge request number: ${JSON.stringify(String(id))}`, {
      hint: 'Pass the id returned by openRequest (the request number).',
    });
  }
  return n;
}
