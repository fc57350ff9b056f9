import type Dockerode from 'dockerode';
import type { ComposeServiceSpec } from '../../model/compose.js';

export type Readiness = { ok: true } | { ok: false; reason: string };

export interface WaitOptions {
  timeoutMs: number;
  pollMs: number;
  signal?: AbortSignal;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits until a new container is ready to serve: its Docker healthcheck says healthy, or
 * Sluice's own HTTP check (`x-sluice.http`) answers 2xx on the container's address, or (with
 * neither) it is running. A container that exits, turns unhealthy or runs out of time is not.
 */
export async function waitReady(
  docker: Dockerode,
  id: string,
  spec: ComposeServiceSpec,
  o: WaitOptions,
): Promise<Readiness> {
  const deadline = Date.now() + o.timeoutMs;
  const http = spec['x-sluice']?.http;
  let last = 'not started';
  for (;;) {
    o.signal?.throwIfAborted();
    const i = await docker.getContainer(id).inspect();
    const s = i.State;
    if (!s.Running) {
      const oneOff = spec.restart === undefined || spec.restart === 'no';
      if (s.Status === 'exited' && s.ExitCode === 0 && oneOff) return { ok: true };
      if (s.Status === 'exited' || s.Status === 'dead') return { ok: false, reason: `exited with code ${s.ExitCode}` };
    } else if (s.Health && s.Health.Status !== 'none') {
      if (s.Health.Status === 'healthy') return { ok: true };
      if (s.Health.Status === 'unhealthy') {
        const out = s.Health.Log?.at(-1)?.Output?.trim();
        return { ok: false, reason: `healthcheck failed${out ? `: ${out.slice(0, 200)}` : ''}` };
      }
      last = 'healthcheck starting';
    } else if (http) {
      const ip = Object.values(i.NetworkSettings.Networks ?? {}).find((n) => n.IPAddress)?.IPAddress;
      if (ip) {
        last = await probe(`http://${ip}:${http.port}${http.path}`, http.expectStatus);
        if (last === 'ok') return { ok: true };
      }
    } else return { ok: true };
    if (Date.now() >= deadline)
      return { ok: false, reason: `not ready after ${Math.round(o.timeoutMs / 1000)}s (${last})` };
    await sleep(o.pollMs);
  }
}

async function probe(url: string, expectStatus: number | undefined): Promise<string> {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await r.body?.cancel();
    const ok = expectStatus === undefined ? r.ok : r.status === expectStatus;
    return ok ? 'ok' : `${url} answered ${r.status}`;
  } catch (e) {
    return `${url}: ${(e as Error).message}`;
  }
}

/** Waits for a one-off container to finish; ok when it exited with 0. */
export async function waitCompleted(docker: Dockerode, id: string, signal?: AbortSignal): Promise<Readiness> {
  signal?.throwIfAborted();
  const r = (await docker.getContainer(id).wait()) as { StatusCode: number };
  return r.StatusCode === 0 ? { ok: true } : { ok: false, reason: `exited with code ${r.StatusCode}` };
}
