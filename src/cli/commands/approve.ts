import { Command } from 'commander';
import type { ApprovalRecord, PromotionRecord } from '../../store/ledger-types.js';
import { client, outputFormat, outputOption, printJson } from '../context.js';
import { color, short } from '../format.js';

type Reviewed = PromotionRecord & { approvals: ApprovalRecord[] };

function reviewCommand(decision: 'approve' | 'reject'): Command {
  return new Command(decision)
    .description(
      decision === 'approve'
        ? 'Approve a promotion request; Sluice merges it (a commit) as soon as every gate passes'
        : 'Reject a promotion request; nothing is committed',
    )
    .argument('<id>', 'promotion request id (from `sluice promotions`)')
    .option('-m, --comment <text>', 'why')
    .option('--dry-run', 'check the request can take the review; record nothing')
    .addOption(outputOption())
    .action(async (id: string, opts: { comment?: string; dryRun?: boolean }, cmd: Command) => {
      const p = await client(cmd).post<Reviewed>(
        `/api/v1/promotions/${encodeURIComponent(id.replace(/^#/, ''))}/${decision}`,
        {
          ...(opts.comment ? { comment: opts.comment } : {}),
          ...(opts.dryRun ? { dryRun: true } : {}),
        },
      );
      if (outputFormat(cmd) === 'json') return printJson(p);
      if (opts.dryRun)
        return console.log(
          `dry run: #${p.id} is ${p.state} and would take the ${decision === 'approve' ? 'approval' : 'rejection'}`,
        );
      if (p.state === 'merged')
        console.log(`${color('green', 'merged')} #${p.id} as ${short(p.revision)}: ${p.app} in ${p.env}`);
      else if (p.state === 'open')
        console.log(`#${p.id} approved by ${p.approvals.at(-1)?.actor ?? 'you'}; still waiting:`);
      else console.log(`#${p.id} ${p.state}${p.message ? `: ${p.message}` : ''}`);
      if (p.state === 'open')
        for (const g of p.gates.filter((x) => !x.passed)) console.log(`  ${color('red', '✗')} ${g.gate}: ${g.message}`);
    });
}

export const approveCommand = (): Command => reviewCommand('approve');
export const rejectCommand = (): Command => reviewCommand('reject');
