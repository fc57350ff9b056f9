#!/usr/bin/env node
// A small real HTTP service for the quick start: greets, reports its version and replica,
// answers health checks and exposes Prometheus metrics. Configured only through environment
// variables; FAIL_RATE (0..1) and SLOW_MS make it misbehave on purpose, to see a metric gate
// stop a bad version.
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 8080);
const greeting = process.env.GREETING ?? 'Hello';
const version = process.env.VERSION ?? 'dev';
const replica = process.env.SLUICE_REPLICA ?? '0';
const env = process.env.SLUICE_ENV ?? 'local';
const started = new Date().toISOString();
const failRate = Math.min(1, Math.max(0, Number(process.env.FAIL_RATE ?? 0) || 0));
const slowMs = Math.max(0, Number(process.env.SLOW_MS ?? 0) || 0);

// Requests served (not health checks or scrapes) by status code, and their latency.
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const requests = new Map();
const latency = { counts: BUCKETS.map(() => 0), sum: 0, count: 0 };
let served = 0;

function observe(code, seconds) {
  requests.set(code, (requests.get(code) ?? 0) + 1);
  latency.count++;
  latency.sum += seconds;
  BUCKETS.forEach((b, i) => {
    if (seconds <= b) latency.counts[i]++;
  });
}

/** Spreads failures evenly: with FAIL_RATE=0.25 exactly every fourth request fails. */
function shouldFail(url) {
  served++;
  if (url.searchParams.get('fail') === '1') return true;
  return Math.floor(served * failRate) > Math.floor((served - 1) * failRate);
}

function metrics() {
  const labels = `version="${version}"`;
  const lines = [
    '# HELP hello_http_requests_total Requests served, by status code.',
    '# TYPE hello_http_requests_total counter',
    ...[...requests].map(([code, n]) => `hello_http_requests_total{${labels},code="${code}"} ${n}`),
    '# HELP hello_http_request_duration_seconds Time to answer a request.',
    '# TYPE hello_http_request_duration_seconds histogram',
    ...BUCKETS.map((b, i) => `hello_http_request_duration_seconds_bucket{${labels},le="${b}"} ${latency.counts[i]}`),
    `hello_http_request_duration_seconds_bucket{${labels},le="+Inf"} ${latency.count}`,
    `hello_http_request_duration_seconds_sum{${labels}} ${latency.sum}`,
    `hello_http_request_duration_seconds_count{${labels}} ${latency.count}`,
  ];
  return lines.join('\n') + '\n';
}

function answer(req, res, url) {
  if (shouldFail(url)) {
    res.writeHead(500, { 'content-type': 'text/plain' }).end(`version ${version} failed on purpose\n`);
    return 500;
  }
  if (url.pathname === '/version') {
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ version, env, replica, started, pid: process.pid, greeting }) + '\n');
    return 200;
  }
  res
    .writeHead(200, { 'content-type': 'text/plain' })
    .end(`${greeting} from ${env} (replica ${replica}, version ${version})\n`);
  return 200;
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/healthz') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    return;
  }
  if (url.pathname === '/metrics') {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(metrics());
    return;
  }
  const start = process.hrtime.bigint();
  const done = () => observe(answer(req, res, url), Number(process.hrtime.bigint() - start) / 1e9);
  if (slowMs > 0) setTimeout(done, slowMs);
  else done();
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
