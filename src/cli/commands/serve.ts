import { Command, Option } from 'commander';
import { DEFAULT_PORT } from '../client.js';
import { globals } from '../context.js';
import { startRuntime, type Runtime } from '../runtime.js';
import { addOidcOptions, oidcSettingsFromOptions, type OidcOptionValues } from './oidc-options.js';

export function portOption(): Option {
  return new Option('-p, --port <port>', 'HTTP port of the API and dashboard (0 picks a free one)')
    .env('SLUICE_PORT')
    .default(String(DEFAULT_PORT))
    .argParser((v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`--port must be 0..65535, not "${v}"`);
      return String(n);
    });
}

export function serveCommand(): Command {
  return addOidcOptions(new Command('serve'))
    .description('Run the controller and the HTTP API, metrics and dashboard')
    .requiredOption('-r, --repo <path|url>', 'config repo: a local path or a remote URL', process.env.SLUICE_REPO)
    .option('-b, --branch <branch>', 'branch to follow (default: the repo HEAD branch)')
    .addOption(portOption())
    .option('--host <host>', 'address to listen on', process.env.SLUICE_HOST ?? '127.0.0.1')
    .option('--poll <seconds>', 'how often a remote repo is fetched', '30')
    .addOption(
      new Option('--external-url <url>', 'address people reach the dashboard at; links in notifications use it')
        .env('SLUICE_EXTERNAL_URL')
        .argParser((v) => {
          if (!/^https?:\/\/[^\s]+$/.test(v)) throw new Error(`--external-url must be an http(s):// URL, not "${v}"`);
          return v;
        }),
    )
    .option('--keep-workloads', 'on exit, leave processes running for the next start to adopt')
    .addOption(
      new Option(
        '--lease-duration <seconds>',
        "with several replicas on one PostgreSQL store: a dead replica's scopes are synced by the others within this time (leases are renewed every quarter of it and run out after three quarters)",
      )
        .env('SLUICE_LEASE_DURATION')
        .default('15')
        .argParser((v) => {
          const n = Number(v);
          if (!Number.isFinite(n) || n < 0.3 || n > 3600)
            throw new Error(`--lease-duration must be seconds between 0.3 and 3600, not "${v}"`);
          return v;
        }),
    )
    .action(
      async (
        opts: {
          repo: string;
          branch?: string;
          port: string;
          host: string;
          poll: string;
          externalUrl?: string;
          keepWorkloads?: boolean;
          leaseDuration: string;
        } & OidcOptionValues,
        cmd: Command,
      ) => {
        const { dataDir, store, instance } = globals(cmd);
        const oidc = oidcSettingsFromOptions(opts);
        const rt = await startRuntime({
          repo: opts.repo,
          ...(opts.branch ? { branch: opts.branch } : {}),
          dataDir,
          ...(store ? { store } : {}),
          ...(instance ? { instance } : {}),
          port: Number(opts.port),
          host: opts.host,
          ...(opts.externalUrl ? { externalUrl: opts.externalUrl } : {}),
          pollIntervalMs: Number(opts.poll) * 1000,
          leaseDurationMs: Math.round(Number(opts.leaseDuration) * 1000),
          ...(oidc ? { oidc } : {}),
        });
        // As Sluice resolved it (an absolute path for a local repo), not as typed: "." says nothing in a log.
        const source = rt.controller.status().source;
        console.log(`Sluice is serving ${source.url}${source.branch ? ` (branch ${source.branch})` : ''}`);
        console.log(`  dashboard  ${rt.url}/`);
        console.log(`  API        ${rt.url}/api/v1/status`);
        console.log(`  data dir   ${dataDir}`);
        if (rt.adminTokenFile) console.log(`  admin token ${rt.adminTokenFile} (sign in to the dashboard with it)`);
        await untilSignal(rt, !opts.keepWorkloads);
      },
    );
}

/** Keeps the process alive until Ctrl-C or SIGTERM, then stops cleanly. A second Ctrl-C forces exit. */
export function untilSignal(rt: Runtime, stopWorkloads: boolean): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        console.error(`\n${signal} again: exiting now`);
        process.exit(130);
      }
      stopping = true;
      console.error(
        `\n${signal}: stopping Sluice${stopWorkloads ? ' and every process it started' : ' (workloads keep running)'}…`,
      );
      rt.stop({ stopWorkloads })
        .then(() => {
          console.error('stopped');
          exitIfStillBusy();
          resolve();
        })
        .catch((e: unknown) => {
          console.error(`error while stopping: ${(e as Error).message}`);
          process.exitCode = 1;
          resolve();
        });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

/** How long a stopped Sluice may take to wind down what it has already closed. */
const WIND_DOWN_MS = 5_000;

/**
 * Everything is stopped and saved by now, so nothing may keep the process up: a handle left
 * open is named (to be fixed) and the process exits instead of hanging for whoever stopped it.
 */
function exitIfStillBusy(): void {
  setTimeout(() => {
    const busy = process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap');
    console.error(`still busy ${WIND_DOWN_MS / 1000} s after stopping (${busy.join(', ')}); exiting`);
    process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  }, WIND_DOWN_MS).unref();
}
