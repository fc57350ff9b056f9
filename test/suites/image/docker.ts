import { execFile } from 'node:child_process';

/** Runs the docker CLI without blocking the worker; rejects with its stderr. */
export function docker(...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('docker', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`docker ${args.join(' ')}: ${stderr.trim() || err.message}`));
      else resolve(stdout);
    });
  });
}

/** Like docker(), but resolves with the exit code and output instead of rejecting. */
export function dockerStatus(...args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile('docker', args, { encoding: 'utf8' }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
    );
  });
}
