import { Command, CommanderError } from 'commander';
import {
  NotFoundError,
  RenderError,
  SluiceError,
  SourceError,
  ValidationError,
  describeError,
} from '../errors/index.js';
import { ApiError } from './client.js';
import { defaultDataDir } from './context.js';
import { ExitCode } from './exit-codes.js';
import { color } from './format.js';
import { diffCommand } from './commands/diff.js';
import { eventsCommand } from './commands/events.js';
import { historyCommand } from './commands/history.js';
import { initCommand } from './commands/init.js';
import { kustomizeCommand } from './commands/kustomize.js';
import { logsCommand } from './commands/logs.js';
import { quickstartCommand } from './commands/quickstart.js';
import { renderCommand } from './commands/render.js';
import { serveCommand } from './commands/serve.js';
import { statusCommand } from './commands/status.js';
import { syncCommand } from './commands/sync.js';
import { approveCommand, rejectCommand } from './commands/approve.js';
import { doraCommand } from './commands/dora.js';
import { promoteCommand } from './commands/promote.js';
import { promotionsCommand } from './commands/promotions.js';
import { rollbackCommand } from './commands/rollback.js';
import { setImageCommand } from './commands/set-image.js';
import { whatRanCommand } from './commands/what-ran.js';
import { secretsCommand } from './commands/secrets.js';
import { validateCommand } from './commands/validate.js';

export function program(): Command {
  const p = new Command('sluice')
    .description('GitOps delivery engine: Git holds desired state, Sluice makes the running world match it.')
    .version('0.1.0')
    .option('-d, --data-dir <dir>', `data directory (env SLUICE_DATA_DIR; default ${defaultDataDir()})`)
    .option('-s, --server <url>', 'URL of a running `sluice serve` (env SLUICE_SERVER)')
    .showHelpAfterError()
    .exitOverride();
  for (const c of [
    quickstartCommand(),
    initCommand(),
    serveCommand(),
    statusCommand(),
    renderCommand(),
    diffCommand(),
    syncCommand(),
    historyCommand(),
    eventsCommand(),
    setImageCommand(),
    promoteCommand(),
    promotionsCommand(),
    approveCommand(),
    rejectCommand(),
    rollbackCommand(),
    whatRanCommand(),
    doraCommand(),
    logsCommand(),
    validateCommand(),
    secretsCommand(),
    kustomizeCommand(),
  ]) {
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
    await program().parseAsync(argv, { from: 'user' });
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
    return e.status === 404 ? ExitCode.NotFound : e.status === 422 ? ExitCode.Invalid : ExitCode.Failed;
  if (e instanceof NotFoundError) return ExitCode.NotFound;
  if (e instanceof ValidationError || e instanceof RenderError) return ExitCode.Invalid;
  if (e instanceof SourceError) return ExitCode.Unreachable;
  if (e instanceof SluiceError && e.code === 'SERVER_UNREACHABLE') return ExitCode.Unreachable;
  if (e instanceof SluiceError) return ExitCode.Failed;
  return ExitCode.Failed;
}
