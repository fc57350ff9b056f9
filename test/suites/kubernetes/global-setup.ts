import type { TestProject } from 'vitest/node';
import { buildBinaries, startServer, type RunningServer, type TestBinaries } from './server.js';

/** One real API server for the whole suite: built once (cached), started here, stopped at the end. */

let running: RunningServer | undefined;

export async function setup(project: TestProject): Promise<void> {
  const bins = buildBinaries();
  running = await startServer(bins.apiserver);
  project.provide('kubeconfig', running.kubeconfig);
  project.provide('kubectl', bins.kubectl);
  project.provide('apiserver', bins.apiserver);
  project.provide('kubeBinaries', bins);
}

export async function teardown(): Promise<void> {
  await running?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    kubeconfig: string;
    kubectl: string;
    /** The server binary, for tests that need a server of their own (to stop and hang it). */
    apiserver: string;
    /** Every binary of the test control plane, for a file that starts one with controllers. */
    kubeBinaries: TestBinaries;
  }
}
