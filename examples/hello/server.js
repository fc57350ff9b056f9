#!/usr/bin/env node
// A small real HTTP service for the quick start: greets, reports its version and replica,
// and answers health checks. Configured only through environment variables.
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 8080);
const greeting = process.env.GREETING ?? 'Hello';
const version = process.env.VERSION ?? 'dev';
const replica = process.env.SLUICE_REPLICA ?? '0';
const env = process.env.SLUICE_ENV ?? 'local';
const started = new Date().toISOString();

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/healthz') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    return;
  }
  if (url.pathname === '/version') {
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ version, env, replica, started, pid: process.pid, greeting }) + '\n');
    return;
  }
  res
    .writeHead(200, { 'content-type': 'text/plain' })
    .end(`${greeting} from ${env} (replica ${replica}, version ${version})\n`);
});

server.listen(port, '127.0.0.1', () =>
  console.log(`hello listening on 127.0.0.1:${port} (${env}, replica ${replica}, version ${version})`),
);

const stop = (signal) => {
  console.log(`hello got ${signal}, closing`);
  server.close(() => process.exit(0));
  server.closeAllConnections?.();
};
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
