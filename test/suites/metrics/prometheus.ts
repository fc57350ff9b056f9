import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, freePortBlock } from '../../support/sluice.js';

/** A real Prometheus (the `prometheus` binary on PATH) scraping the given targets every second. */
export interface RunningPrometheus {
  url: string;
  child: ChildProcess;
  /** The numbers an instant query returns now (one per series). */
  query(promql: string): Promise<number[]>;
  stop(): Promise<void>;
}

export async function startPrometheus(
  dir: string,
  jobs: { labels: Record<string, string>; targets: string[] }[],
): Promise<RunningPrometheus> {
  mkdirSync(dir, { recursive: true });
  const config = join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    JSON.stringify({
      global: { scrape_interval: '1s', scrape_timeout: '900ms', evaluation_interval: '1s' },
      scrape_configs: [{ job_name: 'hello', static_configs: jobs }],
    }),
  );
  const port = await freePortBlock(1);
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    'prometheus',
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (log = (log + d).slice(-4000)));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  await eventually(
    async () => {
      if (child.exitCode !== null) throw new Error(`prometheus exited: ${log}`);
      return (await fetch(`${url}/-/ready`)).ok ? true : undefined;
    },
    60_000,
    'prometheus ready',
  );
  return {
    url,
    child,
    async query(promql) {
      const r = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: promql }).toString()}`);
      const body = (await r.json()) as { data: { result: { value: [number, string] }[] } };
      return body.data.result.map((s) => Number(s.value[1]));
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
