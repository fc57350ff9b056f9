import { timingSafeEqual } from 'node:crypto';
import * as oidc from 'openid-client';
import { SluiceError } from '../../errors/index.js';
import { isLoopback, type OidcSettings } from './oidc-settings.js';
import { TransactionSealer, type LoginTransaction } from './oidc-transaction.js';

/**
 * The identity a single sign-on yields: the `Identity` of src/server/auth/identity.ts (see
 * CONTRACTS.md) with `via: 'oidc'`, declared here so this module stands on its own.
 */
export interface OidcIdentity {
  subject: string;
  name: string;
  email?: string;
  groups: string[];
  via: 'oidc';
}

/** Why a sign-in was refused. Each code names one reason; none carries a code or token. */
export type OidcFailure =
  | 'OIDC_NO_TRANSACTION'
  | 'OIDC_TRANSACTION_EXPIRED'
  | 'OIDC_STATE_MISMATCH'
  | 'OIDC_PROVIDER_ERROR'
  | 'OIDC_TOKEN_REFUSED'
  | 'OIDC_ID_TOKEN_INVALID'
  | 'OIDC_CLAIMS_INVALID';

/** A sign-in that did not prove who the user is. The user starts again; it is never retried by itself. */
export class OidcLoginError extends SluiceError {
  declare readonly code: OidcFailure;
  constructor(code: OidcFailure, message: string, hint: string, cause?: unknown) {
    super(code, message, { hint, ...(cause === undefined ? {} : { cause }) });
  }
}

/** The provider could not be reached or answered nonsense; trying again later may work. */
export class OidcProviderError extends SluiceError {
  static override readonly retryByDefault: boolean = true;
}

export interface OidcLoginOptions {
  /** Clock for the login transaction's expiry (tests move it). */
  now?: () => number;
  /** Outgoing HTTP to the provider (discovery, JWKS, token endpoint), e.g. through a proxy. */
  fetch?: typeof fetch;
}

/**
 * The relying party side of the authorization code flow with PKCE (S256): builds the
 * authorization request, then checks the provider's answer (state, code exchange, ID token
 * issuer, audience, signature against the provider's JWKS, expiry and nonce) and maps the ID
 * token's claims to an identity. openid-client does the protocol; this class keeps the
 * transaction and says, in Sluice's words, why a sign-in failed.
 */
export class OidcLogin {
  private config: Promise<oidc.Configuration> | undefined;
  private readonly sealer: TransactionSealer;
  private readonly fetch: typeof fetch | undefined;

  constructor(
    readonly settings: OidcSettings,
    options: OidcLoginOptions = {},
  ) {
    this.sealer = new TransactionSealer(settings.clientSecret, options.now);
    this.fetch = options.fetch;
  }

  /** Where to send the browser, and the sealed transaction to keep in its cookie. */
  async start(returnTo: string): Promise<{ authorizationUrl: URL; sealedTransaction: string }> {
    const config = await this.configuration();
    const transaction: LoginTransaction = {
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      codeVerifier: oidc.randomPKCECodeVerifier(),
      returnTo: safeReturnTo(returnTo),
    };
    const authorizationUrl = oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.settings.redirectUrl.href,
      scope: this.settings.scopes.join(' '),
      code_challenge: await oidc.calculatePKCECodeChallenge(transaction.codeVerifier),
      code_challenge_method: 'S256',
      state: transaction.state,
      nonce: transaction.nonce,
    });
    return { authorizationUrl, sealedTransaction: await this.sealer.seal(transaction) };
  }

  /**
   * Completes a sign-in from the callback's query and the sealed transaction of the browser's
   * cookie. Throws OidcLoginError when the answer proves nothing, OidcProviderError when the
   * provider cannot be asked.
   */
  async finish(
    query: URLSearchParams,
    sealedTransaction: string | undefined,
  ): Promise<{ identity: OidcIdentity; returnTo: string }> {
    const providerError = query.get('error');
    if (providerError !== null) {
      const description = query.get('error_description');
      throw new OidcLoginError(
        'OIDC_PROVIDER_ERROR',
        `the identity provider refused the sign-in: ${printable(providerError)}${description ? ` (${printable(description)})` : ''}`,
        'sign in again; if it keeps failing, check the client and redirect URL registered at the provider',
      );
    }
    if (!sealedTransaction)
      throw new OidcLoginError(
        'OIDC_NO_TRANSACTION',
        'no sign-in was started from this browser (its sign-in cookie is missing)',
        'start the sign-in from Sluice at /auth/oidc/login; cookies must be enabled',
      );
    const opened = await this.sealer.open(sealedTransaction);
    if (!opened.ok)
      throw opened.reason === 'expired'
        ? new OidcLoginError('OIDC_TRANSACTION_EXPIRED', 'the sign-in took too long and expired', 'sign in again')
        : new OidcLoginError(
            'OIDC_NO_TRANSACTION',
            'the sign-in cookie is not one this server issued',
            'start the sign-in again at /auth/oidc/login',
          );
    const transaction = opened.transaction;
    if (!sameString(query.get('state') ?? '', transaction.state))
      throw new OidcLoginError(
        'OIDC_STATE_MISMATCH',
        'the state returned by the identity provider does not match the sign-in this browser started',
        'start the sign-in again from Sluice; a link to the callback from elsewhere is refused',
      );
    if (!query.get('code'))
      throw new OidcLoginError(
        'OIDC_PROVIDER_ERROR',
        'the identity provider returned no authorization code',
        'sign in again',
      );

    const config = await this.configuration();
    // The callback URL as the provider was told it, with the query as received: not the Host
    // header, which a client chooses.
    const callbackUrl = new URL(this.settings.redirectUrl.href);
    callbackUrl.search = query.toString();
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: transaction.codeVerifier,
        expectedState: transaction.state,
        expectedNonce: transaction.nonce,
        idTokenExpected: true,
      });
    } catch (e) {
      throw grantFailure(e);
    }
    const claims = tokens.claims();
    if (!claims)
      throw new OidcLoginError(
        'OIDC_ID_TOKEN_INVALID',
        'the identity provider returned no ID token',
        'request the openid scope',
      );
    return { identity: this.identity(claims), returnTo: transaction.returnTo };
  }

  private identity(claims: oidc.IDToken): OidcIdentity {
    const str = (k: string): string | undefined => {
      const v = claims[k];
      return typeof v === 'string' && v !== '' ? v : undefined;
    };
    const email = str('email');
    return {
      // Namespaced so no token or account name can ever equal a provider's subject.
      subject: `oidc:${claims.sub}`,
      name: str('name') ?? str('preferred_username') ?? email ?? claims.sub,
      ...(email ? { email } : {}),
      groups: this.groups(claims[this.settings.groupsClaim]),
      via: 'oidc',
    };
  }

  private groups(value: unknown): string[] {
    if (value === undefined || value === null) return [];
    if (typeof value === 'string') return [value];
    if (Array.isArray(value) && value.every((g): g is string => typeof g === 'string')) return [...value];
    throw new OidcLoginError(
      'OIDC_CLAIMS_INVALID',
      `the ID token's "${this.settings.groupsClaim}" claim is not a list of group names`,
      'set --oidc-groups-claim to the claim that holds the groups as strings',
    );
  }

  /** Discovery happens at the first sign-in and is retried at the next one when it failed. */
  private configuration(): Promise<oidc.Configuration> {
    this.config ??= this.discover().catch((e: unknown) => {
      this.config = undefined;
      throw e;
    });
    return this.config;
  }

  private async discover(): Promise<oidc.Configuration> {
    const s = this.settings;
    // openid-client would take an ID token straight from the token endpoint on trust in TLS; its
    // signature is checked against the provider's JWKS all the same, so a token altered on the
    // way (or sent over loopback http) is refused.
    const execute = [oidc.enableNonRepudiationChecks];
    if (isLoopback(s.issuer)) execute.push(oidc.allowInsecureRequests);
    try {
      return await oidc.discovery(
        s.issuer,
        s.clientId,
        s.clientSecret,
        s.clientSecret === undefined ? oidc.None() : oidc.ClientSecretBasic(s.clientSecret),
        { execute, timeout: 10, ...(this.fetch ? { [oidc.customFetch]: this.fetch } : {}) },
      );
    } catch (e) {
      throw new OidcProviderError(
        'OIDC_DISCOVERY_FAILED',
        `cannot read the identity provider's configuration at ${s.issuer.href}: ${detail(e)}`,
        {
          hint: `check --oidc-issuer; ${new URL('.well-known/openid-configuration', withSlash(s.issuer)).href} must answer`,
          cause: e,
        },
      );
    }
  }
}

/** Sorts openid-client's failures into the reasons shown to the user. */
function grantFailure(e: unknown): SluiceError {
  if (e instanceof oidc.ResponseBodyError)
    return new OidcLoginError(
      'OIDC_TOKEN_REFUSED',
      `the identity provider refused the authorization code: ${printable(e.error)}${e.error_description ? ` (${printable(e.error_description)})` : ''}`,
      'sign in again; a code is good for one use and a short time',
    );
  if (e instanceof oidc.AuthorizationResponseError)
    return new OidcLoginError(
      'OIDC_PROVIDER_ERROR',
      `the identity provider refused the sign-in: ${printable(e.error)}`,
      'sign in again',
    );
  // What the provider sent back does not verify: issuer, audience, nonce, expiry, signature.
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string' && ID_TOKEN_FAILURES.has(code))
    return new OidcLoginError(
      'OIDC_ID_TOKEN_INVALID',
      `the ID token did not verify: ${detail(e)}`,
      "check that --oidc-issuer and --oidc-client-id match the provider and that this server's clock is right",
    );
  return new OidcProviderError(
    'OIDC_EXCHANGE_FAILED',
    `the code exchange with the identity provider failed: ${detail(e)}`,
    { hint: 'check that the provider is reachable from this server', cause: e },
  );
}

// oauth4webapi's codes for a response that arrived but does not verify.
const ID_TOKEN_FAILURES = new Set<string>([
  'OAUTH_JWT_CLAIM_COMPARISON_FAILED',
  'OAUTH_JWT_TIMESTAMP_CHECK_FAILED',
  'OAUTH_KEY_SELECTION_FAILED',
  'OAUTH_PARSE_ERROR',
  'OAUTH_INVALID_RESPONSE',
  'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED',
]);

/** openid-client's message with the detail its cause adds ("unexpected JWT claim value: aud"). */
function detail(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  const cause = e instanceof Error && e.cause instanceof Error ? e.cause.message : undefined;
  return printable(cause && cause !== message ? `${message}: ${cause}` : message);
}

/** Only a same-site path: an absolute or protocol-relative URL would make the sign-in an open redirect. */
export function safeReturnTo(value: string | undefined): string {
  if (!value || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return '/';
  // Only printable ASCII: a control character could split a header, and anything else is sent percent-encoded.
  return /^[\x20-\x7e]+$/.test(value) ? value : '/';
}

function sameString(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** A provider-supplied word, cut short and stripped of anything that is not plain text. */
function printable(s: string): string {
  const clean = s.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 200 ? `${clean.slice(0, 200)}…` : clean;
}

function withSlash(u: URL): string {
  return u.href.endsWith('/') ? u.href : `${u.href}/`;
}
