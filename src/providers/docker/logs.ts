import type Dockerode from 'dockerode';
import type { Scope, TargetLogLine, TargetLogOptions } from '../types.js';
import { dockerClient } from './connection.js';
import { LABEL_PROJECT, LABEL_SERVICE } from './labels.js';
import { readScopeRecord } from './scope-file.js';

/**
 * Container logs of a scope, one stream per container (as `docker compose logs` shows them).
 * Reads the Engine a scope was last applied to; none when Sluice never applied it.
 */
export async function* readDockerLogs(
  dataDir: string,
  scope: Scope,
  options: TargetLogOptions,
): AsyncIterable<TargetLogLine> {
  const where = readScopeRecord(dataDir, scope);
  if (!where || !where.host.startsWith('unix:')) return;
  const docker = await dockerClient({ host: where.host });
  const labels = [`${LABEL_PROJECT}=${where.project}`];
  if (options.workload) labels.push(`${LABEL_SERVICE}=${options.workload}`);
  const containers = await docker.listContainers({ all: true, filters: { label: labels } });
  for (const c of containers.sort((a, b) => (a.Names[0] ?? '').localeCompare(b.Names[0] ?? ''))) {
    const stream = (c.Names[0] ?? c.Id).replace(/^\//, '');
    for (const text of await containerLog(docker, c.Id, options.tail)) yield { stream, text };
  }
}

async function containerLog(docker: Dockerode, id: string, tail: number | undefined): Promise<string[]> {
  const raw = (await docker.getContainer(id).logs({
    stdout: true,
    stderr: true,
    follow: false,
    ...(tail !== undefined ? { tail } : {}),
  })) as unknown as Buffer;
  return demux(raw)
    .split('\n')
    .filter((l, i, all) => l !== '' || i < all.length - 1);
}

/** Strips the 8-byte frame headers the Engine puts on logs of containers without a TTY. */
export function demux(buf: Buffer): string {
  const parts: Buffer[] = [];
  let i = 0;
  while (i + 8 <= buf.length && (buf[i] === 1 || buf[i] === 2) && buf[i + 1] === 0) {
    const size = buf.readUInt32BE(i + 4);
    parts.push(buf.subarray(i + 8, i + 8 + size));
    i += 8 + size;
  }
  return i === 0 ? buf.toString('utf8') : Buffer.concat(parts).toString('utf8');
}
