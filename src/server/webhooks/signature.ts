import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { SecretRef } from '../../config/index.js';
import { SluiceError } from '../../errors/index.js';

/** A webhook secret that cannot be read: the sender is refused until the server's environment is fixed. */
export class WebhookSecretError extends SluiceError {}

/**
 * The secret a reference names. The message names the variable or file, never its content;
 * read per delivery so a rotated secret applies without a restart.
 */
export function readSecret(ref: SecretRef, env: NodeJS.ProcessEnv = process.env): Buffer {
  if ('env' in ref) {
    const v = env[ref.env];
    if (!v) {
      throw new WebhookSecretError('WEBHOOK_SECRET_MISSING', `environment variable ${ref.env} is not set`, {
        hint: `Set ${ref.env} in the environment of the Sluice server to the webhook secret.`,
        retry: true,
      });
    }
    return Buffer.from(v, 'utf8');
  }
  let text: string;
  try {
    text = readFileSync(ref.file, 'utf8');
  } catch (e) {
    throw new WebhookSecretError('WEBHOOK_SECRET_MISSING', `cannot read the webhook secret file ${ref.file}`, {
      hint: 'Create the file on the Sluice server, readable by the Sluice process.',
      cause: e,
      retry: true,
    });
  }
  // Files written by `echo` end in a newline that is not part of the secret.
  const secret = text.replace(/\r?\n$/, '');
  if (!secret) {
    throw new WebhookSecretError('WEBHOOK_SECRET_MISSING', `the webhook secret file ${ref.file} is empty`, {
      retry: true,
    });
  }
  return Buffer.from(secret, 'utf8');
}

/** Equal without telling by timing where they differ: both sides are hashed to the same length first. */
export function constantTimeEqual(a: Buffer | string, b: Buffer | string): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}

/** Checks `sha256=<hex>` (GitHub's X-Hub-Signature-256, Sluice's X-Sluice-Signature-256) against the body. */
export function hmacMatches(header: string | undefined, body: Buffer, secret: Buffer): boolean {
  if (!header) return false;
  const expected = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
  return constantTimeEqual(header.trim().toLowerCase(), expected);
}
