import { afterEach, describe, expect, it } from 'vitest';
import { listen, sendJson, type RunningServer } from '../../test/support/hosted-fakes/http.js';
import { ApiClient, nextLink } from './http.js';

let server: RunningServer | undefined;
afterEach(() => server?.close());

const client = (url: string) =>
  new ApiClient({
    host: 'GitHub',
    apiUrl: url,
    headers: {},
    token: 'tok-123456',
    authHint: 'fix the token',
    retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 10 },
  });

describe('ApiClient', () => {
  it('waits out a rate limit that says when to come back', async () => {
    let calls = 0;
    server = await listen((_req, res) => {
      calls++;
      if (calls === 1) return sendJson(res, 429, { message: 'API rate limit exceeded' }, { 'retry-after': '0' });
      sendJson(res, 200, { ok: true });
    });
    expect((await client(server.url).call('GET', '/x', { what: 'read x' })).data).toEqual({ ok: true });
    expect(calls).toBe(2);
  });

  it('fails at once on a rate limit with no stated wait', async () => {
    server = await listen((_req, res) =>
      sendJson(res, 403, { message: 'You have exceeded a secondary rate limit' }, { 'x-ratelimit-remaining': '0' }),
    );
    await expect(client(server.url).call('GET', '/x', { what: 'read x' })).rejects.toMatchObject({
      code: 'HOSTED_RATE_LIMITED',
      status: 403,
    });
  });

  it('reports an answer that is not JSON', async () => {
    server = await listen((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>sign in</html>');
    });
    await expect(client(server.url).call('GET', '/x', { what: 'read x' })).rejects.toMatchObject({
      code: 'HOSTED_BAD_RESPONSE',
    });
  });

  it('reports an unreachable host', async () => {
    server = await listen((_req, res) => sendJson(res, 200, {}));
    const url = server.url;
    await server.close();
    server = undefined;
    await expect(client(url).call('GET', '/x', { what: 'read x' })).rejects.toMatchObject({
      code: 'HOSTED_UNREACHABLE',
    });
  });
});

describe('nextLink', () => {
  const root = new URL('https://api.github.com/');
  it('follows rel="next" on the API origin only', () => {
    expect(
      nextLink('<https://api.github.com/r?page=2>; rel="next", <https://api.github.com/r?page=5>; rel="last"', root)
        ?.href,
    ).toBe('https://api.github.com/r?page=2');
    expect(nextLink('<https://elsewhere.example/r?page=2>; rel="next"', root)).toBeUndefined();
    expect(nextLink('<https://api.github.com/r?page=1>; rel="prev"', root)).toBeUndefined();
    expect(nextLink(null, root)).toBeUndefined();
  });
});
