/**
 * Every failure Sluice reports to a person is a SluiceError: a stable code for scripts,
 * a message that says what went wrong, where (file, line, field or resource) and a hint
 * that says what to do about it.
 */
export interface ErrorLocation {
  /** Path relative to the config repo root (or an absolute path outside a repo). */
  file?: string;
  /** 1-based line number. */
  line?: number;
  /** 1-based column. */
  column?: number;
  /** Dotted path of the offending field, e.g. `spec.environments[1].target`. */
  field?: string;
  /** Resource the error is about, as `Kind/name` or `Kind/namespace/name`. */
  resource?: string;
}

export interface SluiceErrorOptions extends ErrorLocation {
  hint?: string;
  cause?: unknown;
  /** Overrides the class's default: whether trying again without a change can succeed. */
  retry?: boolean;
}

export class SluiceError extends Error {
  /**
   * Whether errors of this class are transient by default: the same input may succeed later
   * (a target or network failed). Terminal errors (bad input) wait for a new revision.
   */
  static readonly retryByDefault: boolean = false;

  readonly code: string;
  readonly hint: string | undefined;
  readonly location: ErrorLocation;
  /** Transient (retry with backoff) or terminal (stall until the input changes). */
  readonly retry: boolean;

  constructor(code: string, message: string, options: SluiceErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = options.hint;
    this.retry = options.retry ?? (new.target as typeof SluiceError).retryByDefault;
    const { hint: _hint, cause: _cause, retry: _retry, ...location } = options;
    this.location = location;
  }

  /** `file:line: message (code)` followed by the hint, the way compilers print errors. */
  describe(): string {
    const where = formatLocation(this.location);
    // A message that already starts with its file (`dir: no such directory`) does not get it twice.
    const file = this.location.file;
    const message =
      file !== undefined && this.message.startsWith(`${file}: `) ? this.message.slice(file.length + 2) : this.message;
    const head = where ? `${where}: ${message}` : message;
    return this.hint ? `${head}\n  hint: ${this.hint}` : head;
  }

  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, hint: this.hint, ...this.location };
  }
}

export function formatLocation(loc: ErrorLocation): string {
  const parts: string[] = [];
  if (loc.file) {
    let p = loc.file;
    if (loc.line !== undefined) p += `:${loc.line}`;
    if (loc.line !== undefined && loc.column !== undefined) p += `:${loc.column}`;
    parts.push(p);
  }
  if (loc.resource) parts.push(loc.resource);
  if (loc.field) parts.push(`field ${loc.field}`);
  return parts.join(' ');
}

/** Invalid user input: a config file, a manifest, a flag. Never retried. */
export class ValidationError extends SluiceError {}

/** A config repo could not be reached or read. Retried with backoff. */
export class SourceError extends SluiceError {
  static override readonly retryByDefault: boolean = true;
}

/** Rendering desired state failed (bad manifest, broken overlay, escaping path). */
export class RenderError extends SluiceError {}

/** A symbolic link that leaves the repository, loops, or points at nothing. Bad input: never retried. */
export class SymlinkError extends RenderError {}

/**
 * A file, a render or a directory walk past a limit of `spec.limits` (size, depth, count).
 * The same revision stays too large, so it is never retried.
 */
export class LimitExceededError extends RenderError {}

/** A manifest that is not UTF-8 text, or holds a NUL character. Never retried. */
export class EncodingError extends RenderError {}

/**
 * A target refused or failed a change. Transient unless the provider says the input is at
 * fault (a manifest the API server rejects, an artifact whose digest does not match).
 */
export class ProviderError extends SluiceError {
  static override readonly retryByDefault: boolean = true;
}

/** Something was asked for that does not exist (an app, an environment, a sync). */
export class NotFoundError extends SluiceError {}

/**
 * The request is well formed but the state of things refuses it until someone changes that
 * state (a digest held in an environment). HTTP 409; `sluice` exits 7.
 */
export class ConflictError extends SluiceError {}

export function isSluiceError(e: unknown): e is SluiceError {
  return e instanceof SluiceError;
}

/** A message safe to show for any thrown value. */
export function describeError(e: unknown): string {
  if (isSluiceError(e)) return e.describe();
  if (e instanceof Error) return e.message;
  return String(e);
}

/** Error codes of Node's network and system calls that a later attempt can get past. */
const TRANSIENT_SYSTEM_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'EAI_AGAIN',
  'ENOSPC',
  'EBUSY',
  'EAGAIN',
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_FULL',
  'SQLITE_IOERR',
]);

/**
 * Whether trying again without a change can succeed. A SluiceError says so itself; any other
 * error is a bug or bad input unless it is a known transient system failure.
 */
export function isTransient(e: unknown): boolean {
  if (isSluiceError(e)) return e.retry;
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && TRANSIENT_SYSTEM_CODES.has(code);
}
