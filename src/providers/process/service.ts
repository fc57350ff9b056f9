import { ProviderError } from '../../errors/index.js';
import { TcpForwarder } from '../tcp-forwarder.js';

export interface ServiceAddress {
  port: number;
  address: string;
}

/**
 * A Process's stable address. Replicas move between two ports as they roll, so callers are
 * given one port that Sluice itself listens on; each connection is forwarded to the next
 * ready replica (round robin), and one that refuses is skipped. The listener lives in the
 * Sluice process: it goes away with Sluice and comes back when Sluice adopts the replicas.
 */
export class ServiceListener {
  private readonly forwarder: TcpForwarder<number>;

  constructor(
    readonly at: ServiceAddress,
    ref: string,
    /** Ports of the replicas ready to take traffic now. */
    backends: () => number[],
  ) {
    this.forwarder = new TcpForwarder(
      () => backends().map((p) => [p, p] as const),
      (e) =>
        new ProviderError(
          'PROCESS_SERVICE_PORT_BUSY',
          `cannot listen on ${at.address}:${at.port} for ${ref}: ${e.code ?? e.message}`,
          {
            resource: ref,
            field: 'spec.service.port',
            hint: `Another program uses port ${at.port}; stop it or choose another spec.service.port. The replicas were not changed.`,
            cause: e,
          },
        ),
    );
  }

  listen(): Promise<void> {
    return this.forwarder.listen(this.at.port, this.at.address);
  }

  /**
   * Resolves once no connection is forwarded to `port` any more, or after `timeoutMs`: a
   * replica taken out of rotation finishes what it was answering before it is stopped.
   */
  drain(port: number, timeoutMs: number): Promise<void> {
    return this.forwarder.drain(port, timeoutMs);
  }

  /** Stops accepting and cuts the connections being forwarded. */
  close(): Promise<void> {
    return this.forwarder.close();
  }
}
