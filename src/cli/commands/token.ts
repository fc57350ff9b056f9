import { Command, Option } from 'commander';
import { roleNames } from '../../config/auth-schema.js';
import { Tokens, type CreateToken } from '../../server/auth/tokens.js';
import type { Role, TokenRecord } from '../../store/access-types.js';
import { openStore } from '../../store/index.js';
import { client, globals, outputFormat, outputOption, printJson } from '../context.js';
import { ago, table } from '../format.js';

/**
 * Through a server when one is named (--server, SLUICE_SERVER), which needs an admin token;
 * otherwise straight in the data dir's store, which works with no server running: that is how
 * the first admin token is made.
 */
async function withTokens<T>(
  cmd: Command,
  local: (t: Tokens) => Promise<T>,
  remote: (api: ReturnType<typeof client>) => Promise<T>,
): Promise<T> {
  const g = globals(cmd);
  if (g.server || process.env.SLUICE_SERVER) return remote(client(cmd));
  const store = openStore(g.dataDir);
  try {
    return await local(new Tokens(store.access));
  } finally {
    await store.close();
  }
}

function describe(t: TokenRecord): string[] {
  const state = t.revokedAt
    ? 'revoked'
    : t.expiresAt && Date.parse(t.expiresAt) <= Date.now()
      ? 'expired'
      : t.expiresAt
        ? `expires ${t.expiresAt}`
        : 'active';
  return [String(t.id), t.name, t.displayName, t.role, t.environments.join(','), ago(t.createdAt), state];
}

export function tokenCommand(): Command {
  const token = new Command('token').description('Create, list and revoke API tokens (stored hashed; shown once)');
  token
    .command('create')
    .description('Create a token and print it once')
    .requiredOption('--name <name>', 'unique name, such as ci-app')
    .addOption(new Option('--role <role>', 'what it may do').choices(roleNames).makeOptionMandatory())
    .option(
      '--env <env>',
      'environment it applies to (repeatable; "*" for every one)',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option('--user <name>', 'the person or system it acts as (default: the token itself)')
    .option('--email <email>', "that identity's email (a commit they wrote is then theirs too)")
    .option('--expires <when>', 'an age such as 30d or 12h, or an ISO time')
    .addOption(outputOption())
    .action(
      async (
        opts: { name: string; role: Role; env?: string[]; user?: string; email?: string; expires?: string },
        cmd: Command,
      ) => {
        const req: CreateToken = {
          name: opts.name,
          role: opts.role,
          environments: opts.env ?? [],
          ...(opts.user ? { user: opts.user } : {}),
          ...(opts.email ? { email: opts.email } : {}),
          ...(opts.expires ? { expires: opts.expires } : {}),
        };
        const out = await withTokens(
          cmd,
          (t) => t.create(req),
          (api) => api.post<{ token: string; record: TokenRecord }>('/api/v1/tokens', req),
        );
        if (outputFormat(cmd) === 'json') return printJson(out);
        console.log(out.token);
        console.error(
          `token "${out.record.name}" (${out.record.role} on ${out.record.environments.join(', ')}) created; it is shown only this once`,
        );
      },
    );
  token
    .command('list')
    .description('List tokens (never their secret)')
    .addOption(outputOption())
    .action(async (_opts: unknown, cmd: Command) => {
      const list = await withTokens(
        cmd,
        (t) => t.list(),
        (api) => api.get<TokenRecord[]>('/api/v1/tokens'),
      );
      if (outputFormat(cmd) === 'json') return printJson(list);
      if (list.length === 0) return console.log('no tokens');
      console.log(table(['ID', 'NAME', 'ACTS AS', 'ROLE', 'ENVIRONMENTS', 'CREATED', 'STATE'], list.map(describe)));
    });
  token
    .command('revoke')
    .description('Revoke a token by name or id; it stops working at once')
    .argument('<name|id>')
    .addOption(outputOption())
    .action(async (which: string, _opts: unknown, cmd: Command) => {
      const out = await withTokens(
        cmd,
        (t) => t.revoke(which),
        (api) => api.delete<TokenRecord>(`/api/v1/tokens/${encodeURIComponent(which)}`),
      );
      if (outputFormat(cmd) === 'json') return printJson(out);
      console.log(`revoked token "${out.name}"`);
    });
  // Usage errors of a subcommand end as a CommanderError (exit 2), like those of every command.
  for (const sub of token.commands) sub.exitOverride();
  return token;
}
