import type { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ExitCode } from './exit-codes.js';
import { main, program } from './main.js';

/** Every command path (e.g. ['secrets', 'edit']) with the `--output` choices it declares. */
function commandsWithOutput(cmd: Command, path: string[] = []): { path: string[]; choices: string[] }[] {
  const out: { path: string[]; choices: string[] }[] = [];
  for (const sub of cmd.commands) {
    const here = [...path, sub.name()];
    const o = sub.options.find((x) => x.long === '--output');
    if (o) out.push({ path: here, choices: o.argChoices ?? [] });
    out.push(...commandsWithOutput(sub, here));
  }
  return out;
}

async function run(argv: string[]): Promise<{ code: number; stderr: string; stdout: string }> {
  let stderr = '';
  let stdout = '';
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  try {
    const code = await main(argv);
    return { code, stderr, stdout };
  } finally {
    err.mockRestore();
    out.mockRestore();
  }
}

afterEach(() => {
  process.exitCode = undefined;
});

const everyCommand = await program();

describe('-o/--output', () => {
  const commands = commandsWithOutput(everyCommand);

  it('is offered by the read and change commands', () => {
    const names = commands.map((c) => c.path.join(' '));
    for (const n of ['status', 'history', 'diff', 'sync', 'logs', 'events', 'render', 'validate', 'promote'])
      expect(names).toContain(n);
  });

  it.each(commands.map((c) => [c.path.join(' '), c] as const))(
    '%s refuses an unknown format with exit 2, naming the allowed ones, before doing anything',
    async (_name, c) => {
      expect(c.choices.length).toBeGreaterThan(1);
      // Port 9 (discard) has no Sluice: reaching for the server would be exit 5, reading a repo exit 3 or 4.
      const r = await run([
        '--server',
        'http://127.0.0.1:9',
        '--data-dir',
        '/nonexistent/sluice',
        ...c.path,
        '-o',
        'xml',
      ]);
      expect(r.code).toBe(ExitCode.Usage);
      expect(r.stderr).toContain("argument 'xml' is invalid");
      expect(r.stderr).toContain(`Allowed choices are ${c.choices.join(', ')}`);
    },
  );
});

describe('events --limit', () => {
  it.each(['0', '501', 'ten'])('refuses %s with exit 2 before asking the server', async (n) => {
    const r = await run(['--server', 'http://127.0.0.1:9', 'events', '--limit', n]);
    expect(r.code).toBe(ExitCode.Usage);
    expect(r.stderr).toContain('from 1 to 500');
  });
});
