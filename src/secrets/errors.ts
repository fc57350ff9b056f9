import { SluiceError, type SluiceErrorOptions } from '../errors/index.js';

/**
 * A secret could not be read, decrypted or verified. Messages name the file and the reason,
 * never a plaintext value: these errors end up in logs, the store and the UI.
 */
export class SecretError extends SluiceError {
  constructor(code: SecretErrorCode, message: string, options: SluiceErrorOptions = {}) {
    super(code, message, options);
  }
}

export type SecretErrorCode =
  /** No age identity was found in SOPS_AGE_KEY, SOPS_AGE_KEY_FILE or the default key file. */
  | 'SOPS_NO_KEY'
  /** Identities were found, but none of them opens the file's data key. */
  | 'SOPS_WRONG_KEY'
  /** A value failed AES-GCM authentication: it was changed or moved after encryption. */
  | 'SOPS_TAMPERED'
  /** The MAC over all values does not match: values were added, removed or reordered. */
  | 'SOPS_MAC_MISMATCH'
  /** The file is not a SOPS file, or its metadata is malformed. */
  | 'SOPS_INVALID'
  /** The file uses a SOPS feature Sluice does not implement (e.g. Shamir key groups, KMS only). */
  | 'SOPS_UNSUPPORTED'
  /** Encryption was asked for without any recipient. */
  | 'SOPS_NO_RECIPIENT'
  /** An age identity or recipient string is malformed. */
  | 'SOPS_BAD_KEY'
  /** A SOPS file was read outside a decrypting run, before it was decrypted. */
  | 'SOPS_NOT_DECRYPTED';
