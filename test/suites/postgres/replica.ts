import { ownedProcesses, type SluiceProcess } from '../../support/sluice.js';

/** One `sluice serve` replica a test started. */
export interface Replica {
  name: string;
  dataDir: string;
  proc: SluiceProcess;
  url?: string;
}

/**
 * Stops the replicas still running, and whatever the killed ones left behind: what a killed
 * replica started is nobody's to stop.
 */
export async function stopReplicas(replicas: readonly Replica[]): Promise<void> {
  for (const r of replicas) {
    if (r.proc.child.exitCode === null && r.proc.child.signalCode === null) {
      r.proc.child.kill('SIGTERM');
      await r.proc.exited;
    }
    for (const p of ownedProcesses(r.dataDir)) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
  }
}
