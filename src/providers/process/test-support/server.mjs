// A tiny workload for the process provider's tests. Behaviour is chosen by env vars so the
// tests need no shell: PORT, GREETING, FAIL_HEALTH, FAIL_HEALTH_AFTER_MS, IGNORE_TERM,
// LOG_LINES, SPAWN_CHILD.
// GET /log?line=… writes the line to stdout and answers once it is written.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';

const startedAt = Date.now();
const failAfter = process.env.FAIL_HEALTH_AFTER_MS === undefined ? Infinity : Number(process.env.FAIL_HEALTH_AFTER_MS);

const port = Number(process.env.PORT ?? 0);
const greeting = process.env.GREETING ?? 'hello';

if (process.env.IGNORE_TERM === '1') {
  process.on('SIGTERM', () => process.stdout.write('ignoring SIGTERM\n'));
} else {
  process.on('SIGTERM', () => {
    process.stdout.write('got SIGTERM, exiting\n');
    process.exit(0);
  });
}

for (let i = 0; i < Number(process.env.LOG_LINES ?? 0); i++)
  process.stdout.write(`filler line ${i} ${'x'.repeat(80)}\n`);

if (process.env.SPAWN_CHILD === '1') {
  // A child that ignores SIGTERM: only signalling the whole process group stops it.
  const child = spawn(process.execPath, ['-e', 'process.on("SIGTERM", () => {}); setInterval(() => {}, 1000)'], {
    stdio: 'ignore',
  });
  process.stdout.write(`child pid ${child.pid}\n`);
}

if (port) {
  const server = createServer((req, res) => {
    if (req.url?.startsWith('/log?')) {
      // Answers only once the line is written, so a caller knows the replica can still log.
      const line = new URL(req.url, 'http://x').searchParams.get('line');
      process.stdout.write(`${line}\n`, (err) => res.writeHead(err ? 500 : 200).end(err ? String(err) : 'logged\n'));
      return;
    }
    if (req.url === '/health' && (process.env.FAIL_HEALTH === '1' || Date.now() - startedAt > failAfter)) {
      res.writeHead(503).end('not ready\n');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ greeting, replica: process.env.SLUICE_REPLICA, pid: process.pid }));
  });
  server.listen(port, () => process.stdout.write(`listening on ${port}\n`));
  process.stderr.write(`replica ${process.env.SLUICE_REPLICA} starting\n`);
} else {
  setInterval(() => {}, 60_000);
  process.stdout.write('running without a port\n');
}
