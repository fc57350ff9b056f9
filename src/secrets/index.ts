export { SecretError, type SecretErrorCode } from './errors.js';
export {
  SecretRegistry,
  MIN_MASK_LENGTH,
  redactResource,
  redactedMarker,
  isSecret,
  secretEntries,
  type RedactOptions,
} from './mask.js';
export { fingerprint, loadFingerprintKey, FINGERPRINT_PATTERN } from './fingerprint.js';
export { SOPS_SOURCE_ANNOTATION, markDecrypted, isFromEncryptedSource, stripInternalAnnotations } from './marker.js';
export {
  DecryptingFs,
  openDecryptingFs,
  lazyDecryptingFs,
  type DecryptingFsOptions,
  type DecryptingRun,
} from './decrypting-fs.js';
export {
  decryptSopsFile,
  encryptSopsFile,
  isSopsFile,
  inspectSopsFile,
  formatForPath,
  SOPS_FORMAT_VERSION,
  type DecryptedFile,
  type EncryptOptions,
  type SopsFormat,
} from './sops/file.js';
export {
  loadAgeIdentities,
  parseIdentities,
  isAgeRecipient,
  SOPS_AGE_KEY,
  SOPS_AGE_KEY_FILE,
  type AgeIdentities,
} from './sops/age-keys.js';
export type { EncryptionRules } from './sops/metadata.js';
export { readMaybeEncrypted } from './host-file.js';
export { creationRuleFor, findSopsConfig, SOPS_CONFIG_FILE, type CreationRule } from './creation-rules.js';
