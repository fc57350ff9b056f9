import { Command, CommanderError } from 'commander';
import {
  ConflictError,
  NotFoundError,
  RenderError,
  SluiceError,
  SourceError,
  ValidationError,
  describeError,
} from '../errors/index.js';
import { ApiError } from './client.js';
import { defaultDataDir } from './data-dir.js';
import { ExitCode } from './exit-codes.js';
import { color } from './format.js';
type CommandLoader = () => Promise<Command>;

/**
 * Each command is imported when it runs, so a short-lived one (`sluice kustomize build`,
 * `sluice render`) loads only its own modules, not the Kubernetes client, the server or the
 * store. Order is the order of `sluice --help`.
 */
const COMMANDS: ReadonlyArray<readonly [string, CommandLoader]> = [
  ['quickstart', async () => (await import('./commands/quickstart.js')).quickstartCommand()],
  ['init', async () => (await import('./commands/init.js')).initCommand()],
  ['serve', async () => (await import('./commands/serve.js')).serveCommand()],
  ['status', async () => (await import('./commands/status.js')).statusCommand()],
  ['render', async () => (await import('./commands/render.js')).renderCommand()],
  ['diff', async () => (await import('./commands/diff.js')).diffCommand()],
  ['sync', async () => (await import('./commands/sync.js')).syncCommand()],
  ['history', async () => (await import('./commands/history.js')).historyCommand()],
  ['events', async () => (await import('./commands/events.js')).eventsCommand()],
  ['set-image', async () => (await import('./commands/set-image.js')).setImageCommand()],
  ['promote', async () => (await import('./commands/promote.js')).promoteCommand()],
  ['promotions', async () => (await import('./commands/promotions.js')).promotionsCommand()],
  ['approve', async () => (await import('./commands/approve.js')).approveCommand()],
  ['reject', async () => (await import('./commands/approve.js')).rejectCommand()],
  ['rollback', async () => (await import('./commands/rollback.js')).rollbackCommand()],
  ['hold', async () => (await import('./commands/hold.js')).holdCommand()],
  ['what-ran', async () => (await import('./commands/what-ran.js')).whatRanCommand()],
  ['ledger', async () => (await import('./commands/ledger.js')).ledgerCommand()],
  ['dora', async () => (await import('./commands/dora.js')).doraCommand()],
  ['token', async () => (await import('./commands/token.js')).tokenCommand()],
  ['audit', async () => (await import('./commands/audit.js')).auditCommand()],
  ['logs', async () => (await import('./commands/logs.js')).logsCommand()],
  ['validate', async () => (await import('./commands/validate.js')).validateCommand()],
  ['secrets', async () => (await import('./commands/secrets.js')).secretsCommand()],
  ['kustomize', async () => (await import('./commands/kustomize.js')).kustomizeCommand()],
];

/** Global options that take a value, to find the command name after them. */
const GLOBAL_OPTIONS_WITH_VALUE = new Set(['-d', '--data-dir', '-s', '--server', '--store']);

/** The command `argv` runs, if it names one; undefined for help, version or a typo. */
export function commandName(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (GLOBAL_OPTIONS_WITH_VALUE.has(a)) {
      i++;
      continue;
    }
    if (a.startsWith('-')) continue;
    return COMMANDS.some(([name]) => name === a) ? a : undefined;
  }
  return undefined;
}

/**
 * The `sluice` program. With `argv`, only the command it names is loaded (none for `--version`;
 * all of them when it names none, for help and for commander's "unknown command" suggestions).
 */
export async function program(argv?: readonly string[]): Promise<Command> {
  const p = new Command('sluice')
    .description('GitOps delivery engine: Git holds desired state, Sluice makes the running world match it.')
    .version('0.1.0')
    .option('-d, --data-dir <dir>', `data directory (env SLUICE_DATA_DIR; default ${defaultDataDir()})`)
    .option('-s, --server <url>', 'URL of a running `sluice serve` (env SLUICE_SERVER)')
    .option(
      '--store <url>',
      'where state is kept: postgres://… shared by several controllers (env SLUICE_STORE; default SQLite in the data dir)',
    )
    .showHelpAfterError()
    .exitOverride();
  const only = argv === undefined ? undefined : commandName(argv);
  const versionOnly = only === undefined && argv !== undefined && argv.some((a) => a === '-V' || a === '--version');
  const wanted = versionOnly ? [] : COMMANDS.filter(([name]) => only === undefined || name === only);
  for (const c of await Promise.all(wanted.map(([, load]) => load()))) {
    p.addCommand(c.exitOverride());
  }
  p.addHelpText(
    'after',
    '\nExit codes: 0 ok, 1 failed, 2 usage, 3 invalid input, 4 not found, 5 unreachable (docs/cli.md).',
  );
  return p;
}

/** Runs the CLI and returns the exit code; never throws. */
export async function main(argv: string[]): Promise<number> {
  try {
    await (await program(argv)).parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.Ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
    }
    process.stderr.write(`${color('red', 'error:', process.stderr)} ${describeError(e)}\n`);
    return exitCodeFor(e);
  }
}

export function exitCodeFor(e: unknown): number {
  if (e instanceof ApiError)
    return e.status === 404
      ? ExitCode.NotFound
      : e.status === 409
        ? ExitCode.Refused
        : e.status === 422
          ? ExitCode.Invalid
          : ExitCode.Failed;
  if (e instanceof NotFoundError) return ExitCode.NotFound;
  if (e instanceof ConflictError) return ExitCode.Refused;
  if (e instanceof ValidationError || e instanceof RenderError) return ExitCode.Invalid;
  if (e instanceof SourceError) return ExitCode.Unreachable;
  if (e instanceof SluiceError && e.code === 'SERVER_UNREACHABLE') return ExitCode.Unreachable;
  if (e instanceof SluiceError) return ExitCode.Failed;
  return ExitCode.Failed;
}
