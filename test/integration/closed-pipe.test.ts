import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/sluice.js';

// `sluice … | head -1`: the reader leaves after the first line. The CLI must end as quietly as
// any Unix tool would, not with an unhandled EPIPE.
describe('a reader that closes the pipe early', { timeout: 120_000 }, () => {
  it('ends the CLI without an error on stderr', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/run.ts'), 'status', '--help'], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    // Closing our end before the CLI writes makes its first write fail with EPIPE.
    child.stdout.destroy();
    const code = await new Promise<number | null>((r) => child.once('close', (c) => r(c)));
    expect(stderr).not.toMatch(/EPIPE|Unhandled/);
    expect(code).toBe(0);
  });
});
