import { useEffect, useId, useState, type FormEvent } from 'react';
import { api, ApiError, signInOptions } from '../api/client.ts';
import type { Me } from '../api/types.ts';

/**
 * Sign-in with an API token (`sluice token create`), or through single sign-on when the server
 * has an OpenID Connect provider configured. The token goes to the server once and is traded
 * for a session cookie; this page keeps no copy.
 */
export function SignIn({ onSignedIn }: { onSignedIn: (me: Me) => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<{ message: string; hint?: string }>();
  const [busy, setBusy] = useState(false);
  const id = useId();
  const [ssoLogin, setSsoLogin] = useState<string>();

  useEffect(() => {
    let live = true;
    // Without an answer the page offers what always works: the token.
    signInOptions()
      .then((o) => live && o.oidc.enabled && setSsoLogin(o.oidc.loginUrl))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, []);

  const singleSignOn = () => {
    if (!ssoLogin) return;
    // Back to the page the sign-in started from; the server accepts only paths of its own.
    const returnTo = `${window.location.pathname}${window.location.search}`;
    window.location.assign(`${ssoLogin}?${new URLSearchParams({ returnTo })}`);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const me = await api.signIn(token.trim());
      setToken('');
      onSignedIn(me);
    } catch (err) {
      setError({
        message: err instanceof Error ? err.message : String(err),
        ...(err instanceof ApiError && err.hint ? { hint: err.hint } : {}),
      });
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="sign-in" data-testid="sign-in">
      <h2>Sign in to Sluice</h2>
      {ssoLogin && (
        <p>
          <button type="button" className="primary" onClick={singleSignOn} data-testid="sign-in-sso">
            Sign in with single sign-on
          </button>
        </p>
      )}
      <form onSubmit={(e) => void submit(e)}>
        <label htmlFor={id}>API token</label>
        <input
          id={id}
          type="password"
          value={token}
          onChange={(e) => setToken(e.target.value)}
          autoComplete="current-password"
          spellCheck={false}
          data-testid="sign-in-token"
        />
        <button type="submit" className="primary" disabled={busy || !token.trim()} data-testid="sign-in-button">
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <p className="muted">
        Create a token with <code>sluice token create --name you --role viewer --env &apos;*&apos;</code>; on this
        machine the server also wrote an admin token into its data directory (<code>admin-token</code>).
      </p>
      {error && (
        <div className="review-error" role="alert" data-testid="sign-in-error">
          <strong>{error.message}</strong>
          {error.hint && <div className="review-hint">{error.hint}</div>}
        </div>
      )}
    </main>
  );
}
