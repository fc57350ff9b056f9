import { createServer } from 'node:net';
import { ProviderError } from '../../errors/index.js';

/**
 * Port scheme. A Process with `port: B` and `replicas: N` owns the range B … B+2N-1.
 * Replica i has two slots, B+i and B+N+i: a replacement must start while the replica it
 * replaces still holds one, so it takes the other. A first start or a roll therefore moves
 * replica i between B+i and B+N+i; if both are taken (by something else on the machine) the
 * lowest free port of the range is used. Health checks without an explicit port probe the
 * replica's own port.
 */
export function portRange(base: number, replicas: number): number[] {
  const ports: number[] = [];
  for (let p = base; p < base + 2 * Math.max(replicas, 1); p++) ports.push(p);
  return ports;
}

export function portCandidates(base: number, replicas: number, index: number): number[] {
  const slots = [base + index, base + Math.max(replicas, 1) + index];
  return [...slots, ...portRange(base, replicas).filter((p) => !slots.includes(p))];
}

/** Whether the OS would let a process listen on the port now (on all addresses). */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export async function allocatePort(
  ref: string,
  base: number,
  replicas: number,
  index: number,
  held: ReadonlySet<number>,
): Promise<number> {
  for (const p of portCandidates(base, replicas, index)) {
    if (held.has(p)) continue;
    if (await isPortFree(p)) return p;
  }
  const last = base + 2 * Math.max(replicas, 1) - 1;
  throw new ProviderError('PROCESS_NO_PORT', `no free port for replica ${index} in ${base}-${last}`, {
    resource: ref,
    field: 'spec.port',
    hint: `Another program listens on ports in ${base}-${last}; stop it or choose another spec.port.`,
  });
}
