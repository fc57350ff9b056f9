import { afterEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../../errors/index.js';
import { ProcessProvider } from './provider.js';
import {
  applyOptions,
  cleanupDataDir,
  freeBase,
  httpGet,
  quietLog,
  recordEvents,
  scope,
  serverProcess,
  tempDataDir,
  waitFor,
} from './test-support/harness.js';

const open: { provider: ProcessProvider; dataDir: string }[] = [];

function newProvider(): ProcessProvider {
  const dataDir = tempDataDir();
  const provider = new ProcessProvider({ dataDir, log: quietLog });
  open.push({ provider, dataDir });
  return provider;
}

afterEach(async () => {
  for (const { provider, dataDir } of open.splice(0)) {
    await provider.close({ stopWorkloads: true }).catch(() => {});
    cleanupDataDir(dataDir);
  }
});

/**
 * Polls every ready replica (as live() reports them at that moment) until stopped. Each round
 * records whether any replica answered, and every failure with its port and time.
 */
function pollWhile(provider: ProcessProvider) {
  const answers: string[] = [];
  const failures: { port: number; at: number }[] = [];
  let unservedRounds = 0;
  let stop = false;
  let rounds = 0;
  const roundWaiters: { at: number; resolve: () => void }[] = [];
  const loop = (async () => {
    while (!stop) {
      let served = false;
      for (const port of await servingPorts(provider)) {
        try {
          answers.push(JSON.parse((await httpGet(port)).body).greeting);
          served = true;
        } catch {
          failures.push({ port, at: Date.now() });
        }
      }
      if (!served) unservedRounds++;
      rounds++;
      for (const w of roundWaiters.filter((w) => w.at <= rounds)) w.resolve();
      // Paces the loop so the replicas' own work is not starved on a small machine.
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  return {
    answers,
    failures,
    unserved: () => unservedRounds,
    /** Resolves once `n` more rounds have polled every replica then ready. */
    rounds: (n: number) => new Promise<void>((resolve) => roundWaiters.push({ at: rounds + n, resolve })),
    done: async () => {
      stop = true;
      await loop;
    },
  };
}

async function servingPorts(provider: ProcessProvider): Promise<number[]> {
  const live = await provider.live(scope);
  return (live[0]!.object.status as { replicas: { port: number; phase: string }[] }).replicas
    .filter((r) => r.phase === 'ready')
    .map((r) => r.port);
}

describe('process provider: rolling updates', () => {
  it('replaces replicas one at a time and keeps serving during the roll', async () => {
    const provider = newProvider();
    const events = recordEvents(provider);
    await provider.start();
    const base = await freeBase(2);
    await provider.apply(scope, [serverProcess('web', base, { replicas: 2 })], applyOptions);
    await waitFor('Healthy', async () => (await provider.health(scope))[0]!.status === 'Healthy');

    const next = serverProcess('web', base, { replicas: 2 }, { GREETING: 'bonjour' });
    const plan = await provider.plan(scope, [next], applyOptions);
    expect(plan.changes[0]).toMatchObject({ action: 'update', reason: 'env.GREETING changed' });

    // Poll during the roll: some replica always answers, and the old replica 0 answers on its
    // port until its replacement has passed its health check.
    const poll = pollWhile(provider);
    const progress: { message: string; at: number }[] = [];
    await provider.apply(scope, [next], {
      ...applyOptions,
      revision: 'rev2',
      onProgress: (message) => progress.push({ message, at: Date.now() }),
    });
    await poll.rounds(2); // so it also polls the replicas as the apply left them
    await poll.done();
    const ports = await servingPorts(provider);

    expect(poll.unserved()).toBe(0);
    expect(poll.answers).toContain('hello');
    expect(poll.answers).toContain('bonjour');
    const replaced0 = progress.find((p) => p.message.startsWith('rolling replica web-0: new version healthy'))!;
    expect(replaced0).toBeDefined();
    expect(poll.failures.filter((f) => f.port === base && f.at < replaced0.at)).toEqual([]);
    expect(new Set(await Promise.all(ports.map(async (p) => JSON.parse((await httpGet(p)).body).greeting)))).toEqual(
      new Set(['bonjour']),
    );
    // Replacements took the free half of the range while the old ones held theirs.
    expect(ports.sort()).toEqual([base + 2, base + 3].sort());
    expect(progress.filter((p) => p.message.startsWith('rolling replica')).length).toBe(4);
    expect(events.filter((e) => e.type === 'exited')).toEqual([]);
    expect((await provider.plan(scope, [next], applyOptions)).changes[0]!.action).toBe('unchanged');

    // The next roll moves them back to the preferred ports.
    await provider.apply(scope, [serverProcess('web', base, { replicas: 2 }, { GREETING: 'hallo' })], applyOptions);
    expect((await servingPorts(provider)).sort()).toEqual([base, base + 1].sort());
  });

  it('stops the roll when the new version fails its health check; the old one keeps serving', async () => {
    const provider = newProvider();
    await provider.start();
    const base = await freeBase(2);
    await provider.apply(scope, [serverProcess('web', base, { replicas: 2 })], applyOptions);
    await waitFor('Healthy', async () => (await provider.health(scope))[0]!.status === 'Healthy');
    const before = await Promise.all([httpGet(base), httpGet(base + 1)]);

    const broken = serverProcess('web', base, { replicas: 2 }, { GREETING: 'broken', FAIL_HEALTH: '1' });
    const error = await provider.apply(scope, [broken], { ...applyOptions, revision: 'bad' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    const e = error as ProviderError;
    expect(e.code).toBe('PROCESS_ROLLOUT_FAILED');
    expect(e.location.resource).toBe('Process/web');
    expect(e.message).toContain('replica web-0');
    expect(e.message).toContain('HTTP 503 from /health');
    expect(e.hint).toContain('2 replica(s) keep serving the previous version');

    const after = await Promise.all([httpGet(base), httpGet(base + 1)]);
    expect(after.map((r) => JSON.parse(r.body))).toEqual(before.map((r) => JSON.parse(r.body)));
    // The failed candidate is gone: nothing answers on the spare ports.
    await expect(httpGet(base + 2)).rejects.toThrow();
    expect((await provider.health(scope))[0]!.status).toBe('Healthy');
    expect((await provider.plan(scope, [broken], applyOptions)).changes[0]!.action).toBe('update');
  });

  it('names the exit code when the new version crashes during the roll', async () => {
    const provider = newProvider();
    await provider.start();
    const base = await freeBase(1);
    await provider.apply(scope, [serverProcess('web', base)], applyOptions);
    await waitFor('Healthy', async () => (await provider.health(scope))[0]!.status === 'Healthy');
    const crashing = serverProcess('web', base, { args: ['-e', 'process.exit(7)'] });
    const error = (await provider.apply(scope, [crashing], applyOptions).catch((e: unknown) => e)) as ProviderError;
    expect(error.code).toBe('PROCESS_ROLLOUT_FAILED');
    expect(error.message).toContain('exited with code 7');
    expect(JSON.parse((await httpGet(base)).body).greeting).toBe('hello');
  });

  it('gives up when the apply is cancelled (its timeout) before the new replica is healthy', async () => {
    const provider = newProvider();
    await provider.start();
    const base = await freeBase(1);
    await provider.apply(scope, [serverProcess('web', base)], applyOptions);
    await waitFor('Healthy', async () => (await provider.health(scope))[0]!.status === 'Healthy');
    const slow = serverProcess('web', base, {
      healthCheck: { http: { path: '/health' }, intervalSeconds: 0.2, initialDelaySeconds: 30 },
    });
    const error = (await provider
      .apply(scope, [slow], { ...applyOptions, signal: AbortSignal.timeout(500) })
      .catch((e: unknown) => e)) as ProviderError;
    expect(error.code).toBe('PROCESS_ROLLOUT_FAILED');
    expect(error.message).toContain('timed out');
    expect(JSON.parse((await httpGet(base)).body).greeting).toBe('hello');
  });
});
