import { z } from 'zod';
import { byteSize } from '../model/read-limits.js';

/**
 * The parts of `sluice.yaml` that decide whom Sluice believes: webhook secrets, the keys a
 * protected environment trusts, and Sluice's own signing key. Secrets and private keys are
 * named by reference (an environment variable or a file on the server), never written here.
 */

const envVarName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name');

export const secretRefSchema = z
  .union([
    z.strictObject({ env: envVarName.describe('Environment variable of the Sluice process holding the secret') }),
    z.strictObject({ file: z.string().min(1).describe('File on the Sluice server holding the secret') }),
  ])
  .describe('Where the secret is read from: { env: NAME } or { file: /path }');

const webhookSourceSchema = z.strictObject({
  secretFrom: secretRefSchema,
});

export const webhooksSchema = z
  .strictObject({
    github: webhookSourceSchema
      .optional()
      .describe('POST /api/v1/webhooks/github: X-Hub-Signature-256 (HMAC-SHA256 of the body with the secret)'),
    gitlab: webhookSourceSchema
      .optional()
      .describe('POST /api/v1/webhooks/gitlab: X-Gitlab-Token must equal the secret'),
    generic: webhookSourceSchema
      .optional()
      .describe(
        'POST /api/v1/webhooks/generic: X-Sluice-Signature-256 = sha256=<hex HMAC-SHA256 of the body>, X-Sluice-Delivery = a unique id',
      ),
    maxBodySize: byteSize.default('1Mi').describe('Larger deliveries are refused with 413 (default 1Mi)'),
  })
  .describe('Signed webhooks that make Sluice fetch at once and read review events at once');

const trustedKeySchema = z
  .strictObject({
    name: z.string().min(1).describe('Who holds the key; shown when a commit is verified'),
    ssh: z
      .string()
      .regex(/^(ssh-|ecdsa-|sk-)\S+ \S+/, 'must be an SSH public key line such as "ssh-ed25519 AAAA… comment"')
      .optional()
      .describe('An SSH public key (as in an allowed-signers file, without the principal)'),
    openpgp: z
      .string()
      .includes('BEGIN PGP PUBLIC KEY BLOCK', { message: 'must be an armored OpenPGP public key' })
      .optional()
      .describe('An armored OpenPGP public key block'),
  })
  .refine((k) => (k.ssh === undefined) !== (k.openpgp === undefined), {
    message: 'set exactly one of ssh or openpgp',
    path: ['ssh'],
  });

export const signingSchema = z
  .strictObject({
    trustedKeys: z
      .array(trustedKeySchema)
      .default([])
      .describe('Keys whose commit signatures an environment with requireSignedCommits accepts'),
    sign: z
      .strictObject({
        format: z.enum(['ssh', 'openpgp']).describe('ssh: an SSH private key file; openpgp: a key in a GnuPG home'),
        key: z
          .string()
          .min(1)
          .describe('ssh: path of the private key on the server; openpgp: the key id or fingerprint to sign with'),
        gnupgHome: z.string().optional().describe('openpgp: GNUPGHOME holding the secret key (default: gpg default)'),
      })
      .optional()
      .describe('Sluice signs the promotion and rollback commits it writes with this key'),
  })
  .describe('Commit signatures: the keys protected environments trust, and the key Sluice signs with');

export const requireSignedCommitsSchema = z
  .boolean()
  .default(false)
  .describe(
    'Apply only commits signed by a key in spec.signing.trustedKeys; an unsigned or untrusted commit stalls the environment',
  );

export type WebhooksSpec = z.output<typeof webhooksSchema>;
export type SigningSpec = z.output<typeof signingSchema>;
export type SecretRef = z.output<typeof secretRefSchema>;
export type TrustedKeySpec = z.output<typeof trustedKeySchema>;
