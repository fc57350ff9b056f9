import { Command } from 'commander';
import type { ChainVerdict } from '../../store/index.js';
import { client, outputFormat, outputOption, printJson } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { color } from '../format.js';

function verifyCommand(): Command {
  return new Command('verify')
    .description("Walk the ledger's hash chain and name the first entry that was altered or removed (exit 1 if any)")
    .addOption(outputOption())
    .action(async (_opts: unknown, cmd: Command) => {
      const r = await client(cmd).get<ChainVerdict>('/api/v1/ledger/verify');
      if (!r.ok) process.exitCode = ExitCode.Failed;
      if (outputFormat(cmd) === 'json') return printJson(r);
      if (r.ok) {
        console.log(`${color('green', 'ok')}: ${r.entries} ledger entries, chain intact (head ${r.head})`);
        return;
      }
      const p = r.problem!;
      console.log(`${color('red', p.kind)}: ${p.message}`);
      console.log(`  entry     ${p.id}`);
      if (p.removedIds) console.log(`  removed   ${p.removedIds.join(', ')}`);
      console.log(`  expected  ${p.expected}`);
      console.log(`  found     ${p.found}`);
    });
}

export function ledgerCommand(): Command {
  // The program's exit override reaches only commands it adds itself, so the subcommand gets its own.
  return new Command('ledger').description('The deployment ledger').addCommand(verifyCommand().exitOverride());
}
