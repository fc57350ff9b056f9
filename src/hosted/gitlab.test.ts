import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeGitlab, type FakeGitlab } from '../../test/support/hosted-fakes/gitlab.js';
import { HostedError } from './errors.js';
import { gitlabRepo } from './gitlab.js';

const TOKEN = 'glpat-sluiceTestToken0123';
const PROJECT = 'acme/platform/config';
const retry = { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 };

let gl: FakeGitlab;
beforeEach(async () => {
  gl = await startFakeGitlab({
    project: PROJECT,
    projectId: 7,
    tokens: { [TOKEN]: { username: 'sluice-bot' }, 'glpat-readonly': { username: 'viewer', readOnly: true } },
    approvalsRequired: 1,
  });
});
afterEach(() => gl.close());

const repo = (token = TOKEN, project: string | number = PROJECT) =>
  gitlabRepo({ apiUrl: gl.apiUrl, project, token, retry });
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

describe('gitlabRepo against the fake GitLab', () => {
  it('opens a merge request, reads approvals back and merges the approved head', async () => {
    const r = repo();
    const ref = await r.openRequest(input);
    expect(ref).toEqual({ id: '1', number: 1, url: `https://gitlab.example/${PROJECT}/-/merge_requests/1` });
    const create = gl.requests[0]!;
    expect(create.method).toBe('POST');
    // The project path travels as one encoded segment.
    expect(create.path).toBe('/api/v4/projects/acme%2Fplatform%2Fconfig/merge_requests');
    expect(create.headers['private-token']).toBe(TOKEN);
    expect(create.headers.authorization).toBeUndefined();
    expect(create.json).toEqual({
      source_branch: input.head,
      target_branch: 'main',
      title: input.title,
      description: input.body,
      labels: 'sluice,promotion',
    });

    let info = await r.getRequest(ref.id);
    // Missing approvals are not conflicts.
    expect(info).toMatchObject({
      state: 'open',
      author: 'sluice-bot',
      approvals: [],
      headSha: gl.mergeRequests.get(1)!.sha,
      mergeable: true,
    });
    await expect(r.merge(ref.id)).rejects.toMatchObject({ code: 'HOSTED_NOT_MERGEABLE', status: 405 });

    gl.approve(1, 'alice');
    info = await r.getRequest('!1');
    expect(info.approvals).toEqual([{ user: 'alice' }]);
    expect(gl.requests.at(-1)!.path).toBe('/api/v4/projects/acme%2Fplatform%2Fconfig/merge_requests/1/approvals');

    await r.comment(ref.id, 'Soak passed; merging.');
    expect(gl.mergeRequests.get(1)!.notes.map((n) => n.body)).toEqual(['Soak passed; merging.']);
    expect(gl.requests.at(-1)).toMatchObject({
      method: 'POST',
      path: '/api/v4/projects/acme%2Fplatform%2Fconfig/merge_requests/1/notes',
    });

    const merged = await r.merge(ref.id, { sha: info.headSha, message: 'Promote payments to prod' });
    expect(merged.sha).toMatch(/^[0-9a-f]{40}$/);
    expect(gl.requests.at(-1)).toMatchObject({
      method: 'PUT',
      json: { sha: info.headSha, merge_commit_message: 'Promote payments to prod' },
    });
    expect((await r.getRequest(1)).state).toBe('merged');
  });

  it('accepts a numeric project id, finds the open request and closes it', async () => {
    const r = repo(TOKEN, 7);
    const ref = await r.openRequest({ ...input, labels: undefined });
    expect(await r.findOpenRequest({ head: input.head, base: 'main' })).toEqual(ref);
    expect(gl.requests.at(-1)!.query.get('state')).toBe('opened');
    await r.close(ref.id);
    expect(gl.requests.at(-1)).toMatchObject({
      method: 'PUT',
      path: '/api/v4/projects/7/merge_requests/1',
      json: { state_event: 'close' },
    });
    expect((await r.getRequest(ref.id)).state).toBe('closed');
    expect(await r.findOpenRequest({ head: input.head, base: 'main' })).toBeUndefined();
  });

  it('turns bad tokens and missing scope into HOSTED_AUTH without showing the token', async () => {
    const bad = await rejection(repo('glpat-wrongToken98765').getRequest(1));
    expect(bad).toMatchObject({ code: 'HOSTED_AUTH', status: 401 });
    expect(bad.message).toContain('401 Unauthorized');
    expect(bad.hint).toMatch(/api scope/);
    expect(JSON.stringify(bad) + bad.describe()).not.toContain('wrongToken');

    const scope = await rejection(repo('glpat-readonly').openRequest(input));
    expect(scope).toMatchObject({ code: 'HOSTED_AUTH', status: 403 });
    expect(scope.message).toContain('insufficient_scope');
  });

  it('reports merges GitLab refuses with its reason', async () => {
    const r = repo();
    const ref = await r.openRequest(input);
    gl.approve(1, 'alice');
    gl.setConflicts(1, true);
    expect((await r.getRequest(ref.id)).mergeable).toBe(false);
    const conflict = await rejection(r.merge(ref.id));
    expect(conflict).toMatchObject({ code: 'HOSTED_NOT_MERGEABLE', status: 406 });
    expect(conflict.message).toContain('Branch cannot be merged');

    gl.setConflicts(1, false);
    const approved = (await r.getRequest(ref.id)).headSha;
    gl.pushHead(1);
    const moved = await rejection(r.merge(ref.id, { sha: approved }));
    expect(moved).toMatchObject({ code: 'HOSTED_CONFLICT', status: 409 });
    expect(moved.message).toContain('SHA does not match HEAD');
  });

  it('says what is missing and what already exists', async () => {
    const r = repo();
    await expect(r.getRequest(5)).rejects.toMatchObject({
      code: 'HOSTED_NOT_FOUND',
      status: 404,
      message: expect.stringContaining('!5'),
    });
    await expect(repo(TOKEN, 'acme/other').getRequest(1)).rejects.toMatchObject({
      code: 'HOSTED_NOT_FOUND',
      message: expect.stringContaining('Project Not Found'),
    });
    await r.openRequest(input);
    const dup = await rejection(r.openRequest(input));
    expect(dup).toMatchObject({ code: 'HOSTED_CONFLICT', status: 409 });
    expect(dup.message).toContain('Another open merge request already exists for this source branch: !1');
    await expect(r.openRequest({ ...input, title: '', head: 'other' })).rejects.toMatchObject({
      code: 'HOSTED_INVALID',
      message: expect.stringContaining('title is missing'),
    });
  });

  it('retries 5xx answers with backoff, then gives up with HOSTED_UNAVAILABLE', async () => {
    const r = repo();
    gl.failNext(503, 2);
    expect((await r.openRequest(input)).number).toBe(1);
    gl.failNext(500, 3);
    await expect(r.getRequest(1)).rejects.toMatchObject({ code: 'HOSTED_UNAVAILABLE', status: 500 });
  });
});
