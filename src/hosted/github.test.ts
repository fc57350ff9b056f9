import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeGithub, type FakeGithub } from '../../test/support/hosted-fakes/github.js';
import { HostedError } from './errors.js';
import { currentReviews, githubRepo } from './github.js';

const TOKEN = 'ghp_sluiceTestToken0123456789';
const retry = { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 };

let gh: FakeGithub;
beforeEach(async () => {
  gh = await startFakeGithub({
    owner: 'acme',
    repo: 'config',
    tokens: { [TOKEN]: { login: 'sluice-bot' }, 'read-only-token': { login: 'viewer', readOnly: true } },
    maxPerPage: 2,
  });
});
afterEach(() => gh.close());

const repo = (token = TOKEN) => githubRepo({ apiUrl: gh.url, owner: 'acme', repo: 'config', token, retry });
const input = {
  title: 'Promote payments to prod',
  body: 'From staging at 1a2b3c4',
  head: 'sluice/promote-payments-prod',
  base: 'main',
  labels: ['sluice', 'promotion'],
};

async function rejection(p: Promise<unknown>): Promise<HostedError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(HostedError);
  return e as HostedError;
}

describe('githubRepo against the fake GitHub', () => {
  it('opens a pull request, reads approvals back and merges the approved head', async () => {
    const r = repo();
    const ref = await r.openRequest(input);
    expect(ref).toEqual({ id: '1', number: 1, url: 'https://github.com/acme/config/pull/1' });
    expect(gh.pulls.get(1)!.labels.map((l) => l.name)).toEqual(['sluice', 'promotion']);

    const create = gh.requests[0]!;
    expect(create.method).toBe('POST');
    expect(create.path).toBe('/repos/acme/config/pulls');
    expect(create.json).toEqual({ title: input.title, body: input.body, head: input.head, base: 'main' });
    expect(create.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(create.headers.accept).toBe('application/vnd.github+json');
    expect(create.headers['x-github-api-version']).toBe('2022-11-28');
    expect(create.headers['user-agent']).toBeTruthy();
    expect(gh.requests[1]).toMatchObject({
      method: 'POST',
      path: '/repos/acme/config/issues/1/labels',
      json: { labels: ['sluice', 'promotion'] },
    });

    let info = await r.getRequest(ref.id);
    expect(info).toMatchObject({
      state: 'open',
      changesRequested: [],
      author: 'sluice-bot',
      approvals: [],
      headSha: gh.pulls.get(1)!.head.sha,
      mergeable: true,
      title: input.title,
    });

    gh.review(1, { user: 'alice', state: 'APPROVED', at: '2025-01-01T10:00:00Z' });
    info = await r.getRequest('#1');
    expect(info.approvals).toEqual([{ user: 'alice', at: '2025-01-01T10:00:00Z', sha: info.headSha }]);

    await r.comment(ref.id, 'Soak passed; merging.');
    expect(gh.pulls.get(1)!.comments.map((c) => c.body)).toEqual(['Soak passed; merging.']);

    const merged = await r.merge(ref.id, { sha: info.headSha, message: 'Promote payments to prod' });
    expect(merged.sha).toMatch(/^[0-9a-f]{40}$/);
    expect(gh.requests.at(-1)).toMatchObject({
      method: 'PUT',
      path: '/repos/acme/config/pulls/1/merge',
      json: { sha: info.headSha, commit_title: 'Promote payments to prod' },
    });
    expect((await r.getRequest(1)).state).toBe('merged');
  });

  it('reads every page of reviews and keeps only each reviewer’s deciding review', async () => {
    const r = repo();
    await r.openRequest(input);
    gh.review(1, { user: 'alice', state: 'APPROVED' });
    gh.review(1, { user: 'bob', state: 'APPROVED' });
    gh.review(1, { user: 'alice', state: 'COMMENTED' }); // a comment keeps alice's approval
    gh.review(1, { user: 'bob', state: 'CHANGES_REQUESTED' }); // bob withdrew
    gh.review(1, { user: 'carol', state: 'APPROVED' });
    const info = await r.getRequest(1);
    expect(info.approvals.map((a) => a.user)).toEqual(['alice', 'carol']);
    expect(info.changesRequested.map((a) => a.user)).toEqual(['bob']);
    // maxPerPage 2: five reviews take three pages, followed through the Link header.
    expect(gh.requests.filter((q) => q.path.endsWith('/reviews')).map((q) => q.query.get('page') ?? '1')).toEqual([
      '1',
      '2',
      '3',
    ]);
  });

  it('finds the open request for a branch pair and closes it', async () => {
    const r = repo();
    expect(await r.findOpenRequest({ head: input.head, base: 'main' })).toBeUndefined();
    const ref = await r.openRequest({ ...input, labels: [] });
    expect(await r.findOpenRequest({ head: input.head, base: 'main' })).toEqual(ref);
    expect(gh.requests.at(-1)!.query.get('head')).toBe(`acme:${input.head}`);
    await r.close(ref.id);
    expect(gh.requests.at(-1)).toMatchObject({
      method: 'PATCH',
      path: '/repos/acme/config/pulls/1',
      json: { state: 'closed' },
    });
    expect((await r.getRequest(ref.id)).state).toBe('closed');
    expect(await r.findOpenRequest({ head: input.head, base: 'main' })).toBeUndefined();
  });

  it('keeps the opened pull request when labelling fails', async () => {
    const warnings: string[] = [];
    const r = githubRepo({
      apiUrl: gh.url,
      owner: 'acme',
      repo: 'config',
      token: TOKEN,
      retry,
      log: { warn: (_d, msg) => void warnings.push(msg) },
      fetch: (url, init) =>
        String(url).endsWith('/labels')
          ? Promise.resolve(
              new Response(JSON.stringify({ message: 'Resource not accessible by integration' }), { status: 403 }),
            )
          : fetch(url, init),
    });
    expect((await r.openRequest(input)).number).toBe(1);
    expect(warnings).toEqual([expect.stringContaining('Resource not accessible by integration')]);
  });

  it('turns a bad token into HOSTED_AUTH without showing the token', async () => {
    const e = await rejection(repo('ghp_wrongToken9876543210').getRequest(1));
    expect(e).toMatchObject({ code: 'HOSTED_AUTH', status: 401 });
    expect(e.message).toContain('Bad credentials');
    expect(e.hint).toMatch(/Pull requests: write/);
    expect(JSON.stringify(e) + e.describe()).not.toContain('wrongToken');

    const ro = repo('read-only-token');
    await expect(ro.openRequest(input)).rejects.toMatchObject({
      code: 'HOSTED_AUTH',
      status: 403,
      message: expect.stringContaining('Resource not accessible'),
    });
  });

  it('reports merges GitHub refuses with its reason', async () => {
    const r = repo();
    const ref = await r.openRequest(input);
    gh.setMergeable(1, false);
    const notMergeable = await rejection(r.merge(ref.id));
    expect(notMergeable).toMatchObject({ code: 'HOSTED_NOT_MERGEABLE', status: 405 });
    expect(notMergeable.message).toContain('Pull Request is not mergeable');
    expect(notMergeable.hint).toBeTruthy();

    gh.setMergeable(1, true);
    const approved = (await r.getRequest(ref.id)).headSha;
    gh.pushHead(1);
    const moved = await rejection(r.merge(ref.id, { sha: approved }));
    expect(moved).toMatchObject({ code: 'HOSTED_CONFLICT', status: 409 });
    expect(moved.message).toContain('Head branch was modified');
  });

  it('says what is missing and what already exists', async () => {
    const r = repo();
    await expect(r.getRequest(99)).rejects.toMatchObject({
      code: 'HOSTED_NOT_FOUND',
      status: 404,
      message: expect.stringContaining('#99'),
    });
    await expect(
      githubRepo({ apiUrl: gh.url, owner: 'acme', repo: 'nope', token: TOKEN }).getRequest(1),
    ).rejects.toMatchObject({ code: 'HOSTED_NOT_FOUND' });
    await r.openRequest(input);
    const dup = await rejection(r.openRequest(input));
    expect(dup).toMatchObject({ code: 'HOSTED_INVALID', status: 422 });
    expect(dup.message).toContain('A pull request already exists for acme:sluice/promote-payments-prod');
    await expect(r.getRequest('abc')).rejects.toMatchObject({ code: 'HOSTED_INVALID' });
  });

  it('retries 5xx answers with backoff, then gives up with HOSTED_UNAVAILABLE', async () => {
    const r = repo();
    gh.failNext(502, 2);
    expect((await r.openRequest({ ...input, labels: [] })).number).toBe(1);
    gh.failNext(500, 3);
    await expect(r.getRequest(1)).rejects.toMatchObject({ code: 'HOSTED_UNAVAILABLE', status: 500 });
  });
});

describe('currentReviews', () => {
  it('lets a dismissal withdraw an approval and ignores pending reviews', () => {
    const u = (login: string) => ({ login });
    expect(
      currentReviews([
        { user: u('a'), state: 'APPROVED' },
        { user: u('a'), state: 'DISMISSED' },
        { user: u('b'), state: 'PENDING' },
        { user: null, state: 'APPROVED' },
      ]),
    ).toEqual({ approvals: [], changesRequested: [] });
  });
});
