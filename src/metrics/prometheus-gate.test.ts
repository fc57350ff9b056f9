import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseProject } from '../config/index.js';
import { evaluateMetric, expandQuery } from './prometheus-gate.js';

/**
 * Gate evaluation against a fixture server speaking the Prometheus HTTP API's documented
 * response format (https://prometheus.io/docs/prometheus/latest/querying/api/). The real
 * Prometheus is exercised by test/suites/metrics.
 */
interface Asked {
  path: string;
  params: URLSearchParams;
  authorization?: string;
}
const asked: Asked[] = [];
/** Query text → the `data` the fixture answers with. */
const answers = new Map<string, unknown>();
let server: Server;
let url: string;
let dir: string;

async function body(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  return text;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-metric-'));
  server = createServer((req, res) => {
    void body(req).then((text) => {
      const params = new URLSearchParams(text);
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      asked.push({ path, params, ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) });
      const query = params.get('query') ?? '';
      if (query.includes('syntax error')) {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'parse error at char 7' }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'success', data: answers.get(query) ?? { resultType: 'vector', result: [] } }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

const vector = (...values: string[]) => ({
  resultType: 'vector',
  result: values.map((v, i) => ({ metric: { instance: `i${i}` }, value: [1700000000, v] })),
});
const server_ = () => ({ url, timeout: '5s' });
const ctx = { app: 'hello', env: 'staging', version: '1.2.0', previousVersion: '1.1.0', from: 'dev' };
const spec = { query: 'error_rate{version="{{version}}"}', op: '<' as const, value: 0.05 };

describe('metric gates', () => {
  it('passes a threshold when every series is under it, and records the query and the worst value', async () => {
    answers.set('error_rate{version="1.2.0"}', vector('0.01', '0.02'));
    const v = await evaluateMetric(spec, server_(), ctx);
    expect(v).toMatchObject({ passed: true, query: 'error_rate{version="1.2.0"}', value: 0.02 });
    expect(asked.at(-1)!.path).toBe('/api/v1/query');
    expect(asked.at(-1)!.params.get('time')).toMatch(/^\d+(\.\d+)?$/);
  });

  it('fails a threshold when one series is over it, naming the value', async () => {
    answers.set('error_rate{version="1.2.0"}', vector('0.01', '0.5'));
    const v = await evaluateMetric(spec, server_(), ctx);
    expect(v).toMatchObject({ passed: false, value: 0.5 });
    expect(v.message).toContain('0.5');
    expect(v.message).toContain('not < 0.05');
  });

  it('treats NaN (a ratio of no traffic) and an empty result as failures', async () => {
    answers.set('error_rate{version="1.2.0"}', vector('NaN'));
    expect((await evaluateMetric(spec, server_(), ctx)).passed).toBe(false);
    answers.delete('error_rate{version="1.2.0"}');
    const empty = await evaluateMetric(spec, server_(), ctx);
    expect(empty).toMatchObject({ passed: false });
    expect(empty.message).toContain('no data for error_rate{version="1.2.0"}');
  });

  it('runs a range query over the window up to a fixed now, and judges every sample', async () => {
    const now = new Date('2026-01-01T00:10:00Z');
    answers.set('p99', {
      resultType: 'matrix',
      result: [
        {
          metric: {},
          values: [
            [1, '0.2'],
            [2, '0.9'],
            [3, '0.3'],
          ],
        },
      ],
    });
    const v = await evaluateMetric({ query: 'p99', window: '5m', op: '<=', value: 0.5 }, server_(), ctx, {
      now: () => now,
    });
    expect(v).toMatchObject({ passed: false, value: 0.9 });
    const req = asked.at(-1)!;
    expect(req.path).toBe('/api/v1/query_range');
    expect(Number(req.params.get('end'))).toBe(now.getTime() / 1000);
    expect(Number(req.params.get('start'))).toBe(now.getTime() / 1000 - 300);
    expect(Number(req.params.get('step'))).toBe(10);
  });

  it('compares the new version with the previous one by ratio', async () => {
    answers.set('latency{version="1.2.0"}', vector('0.3'));
    answers.set('latency{version="1.1.0"}', vector('0.1'));
    const q = { query: 'latency{version="{{version}}"}', maxRatio: 1.5 };
    const worse = await evaluateMetric(q, server_(), ctx);
    expect(worse).toMatchObject({ passed: false, query: 'latency{version="1.2.0"} / latency{version="1.1.0"}' });
    expect(worse.value).toBeCloseTo(3);
    answers.set('latency{version="1.2.0"}', vector('0.12'));
    expect(await evaluateMetric(q, server_(), ctx)).toMatchObject({ passed: true });
    // The first rollout has nothing to compare with: closed, not open.
    const first = await evaluateMetric(q, server_(), { app: 'hello', env: 'staging', version: '1.2.0' });
    expect(first.passed).toBe(false);
    expect(first.message).toContain('none did');
  });

  it('fails closed, naming the URL, when Prometheus cannot be reached', async () => {
    const down = createServer();
    await new Promise<void>((r) => down.listen(0, '127.0.0.1', r));
    const port = (down.address() as AddressInfo).port;
    await new Promise((r) => down.close(r));
    const v = await evaluateMetric(spec, { url: `http://127.0.0.1:${port}`, timeout: '5s' }, ctx);
    expect(v.passed).toBe(false);
    expect(v.message).toContain(`Prometheus at http://127.0.0.1:${port} cannot be reached`);
  });

  it('reports a query Prometheus refuses with its error', async () => {
    const v = await evaluateMetric({ query: 'syntax error', op: '<', value: 1 }, server_(), ctx);
    expect(v.passed).toBe(false);
    expect(v.message).toContain('parse error at char 7');
  });

  it('sends the bearer token from the environment or a file, and never puts it in the verdict', async () => {
    await evaluateMetric(spec, { ...server_(), tokenFrom: { env: 'PROM_TOKEN' } }, ctx, {
      vars: { PROM_TOKEN: 's3cret-env' },
    });
    expect(asked.at(-1)!.authorization).toBe('Bearer s3cret-env');
    const file = join(dir, 'token');
    writeFileSync(file, 's3cret-file\n');
    const v = await evaluateMetric(spec, { ...server_(), tokenFrom: { file } }, ctx);
    expect(asked.at(-1)!.authorization).toBe('Bearer s3cret-file');
    expect(JSON.stringify(v)).not.toContain('s3cret');
    const unset = await evaluateMetric(spec, { ...server_(), tokenFrom: { env: 'PROM_TOKEN' } }, ctx, { vars: {} });
    expect(unset).toMatchObject({ passed: false });
    expect(unset.message).toContain('$PROM_TOKEN is empty');
  });

  it('escapes template values as PromQL strings and names unknown references', () => {
    expect(expandQuery('x{v="{{version}}"}', { app: 'a', env: 'e', version: 'a"b' })).toBe('x{v="a\\"b"}');
    expect(() => expandQuery('{{nope}}', { app: 'a', env: 'e' })).toThrow(/unknown reference \{\{nope\}\}/);
  });
});

describe('metric gates in sluice.yaml', () => {
  const project = (env: string, top = '') => `apiVersion: sluice.dev/v1alpha1
kind: Project
metadata: { name: p }
spec:
  targets: { local: { provider: process } }
${top}  environments:
    - name: dev
      target: local
    - name: staging
      target: local
${env}`;

  it('gives an environment the project Prometheus unless it names its own', () => {
    const p = parseProject(
      project(
        `      promotion:
        from: dev
        gates:
          - name: error-rate
            prometheus: { query: 'up', op: '>=', value: 1 }
      verify:
        - prometheus: { query: 'x', maxRatio: 1.2, window: 1m }
`,
        '  prometheus: { url: "http://prom:9090", tokenFrom: { env: PROM_TOKEN } }\n',
      ),
      'sluice.yaml',
    );
    expect(p.environments[1]!.prometheus).toEqual({
      url: 'http://prom:9090',
      tokenFrom: { env: 'PROM_TOKEN' },
      timeout: '10s',
    });
    expect(p.environments[1]!.promotion!.gates![0]!.name).toBe('error-rate');
  });

  it('refuses a metric check with no Prometheus, and half a threshold, naming the place', () => {
    let error: unknown;
    try {
      parseProject(project(`      verify:\n        - prometheus: { query: 'x', op: '<', value: 1 }\n`), 'sluice.yaml');
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({
      message: expect.stringContaining('environment "staging" has a Prometheus query but no Prometheus to ask'),
      location: { file: 'sluice.yaml', line: 12 },
    });
    expect(() =>
      parseProject(
        project(
          `      verify:\n        - prometheus: { query: 'x', op: '<' }\n`,
          '  prometheus: { url: "http://p" }\n',
        ),
        'sluice.yaml',
      ),
    ).toThrow(/set both op and value/);
    expect(() =>
      parseProject(
        project(`      verify:\n        - prometheus: { query: 'x' }\n`, '  prometheus: { url: "http://p" }\n'),
        'sluice.yaml',
      ),
    ).toThrow(/either op and value .* or maxRatio/);
  });
});
