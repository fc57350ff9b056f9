import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { connect } from 'node:net';
import type { HealthCheckSpec } from './spec.js';

export interface ProbeResult {
  ok: boolean;
  /** Why it failed, for events and errors: "HTTP 500 from /health", "connect ECONNREFUSED". */
  message: string;
}

export interface ProbeTarget {
  /** The replica's port; used when the check names none. */
  port?: number;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** Runs one probe of a health check, bounded by its timeout. */
export function runProbe(check: HealthCheckSpec, target: ProbeTarget): Promise<ProbeResult> {
  const timeoutMs = check.timeoutSeconds * 1000;
  if (check.http) return probeHttp(check.http.path, check.http.port ?? target.port!, timeoutMs);
  if (check.tcp) return probeTcp(check.tcp.port ?? target.port!, timeoutMs);
  return probeExec(check.exec!.command, target, timeoutMs);
}

function probeHttp(path: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      const code = res.statusCode ?? 0;
      const ok = code >= 200 && code < 400;
      resolve({ ok, message: ok ? `HTTP ${code}` : `HTTP ${code} from ${path} on port ${port}` });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs}ms`)));
    req.on('error', (e) => resolve({ ok: false, message: `GET ${path} on port ${port}: ${errorText(e)}` }));
    req.end();
  });
}

function probeTcp(port: number, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, timeout: timeoutMs });
    socket.once('connect', () => {
      socket.destroy();
      resolve({ ok: true, message: 'connected' });
    });
    socket.once('timeout', () => socket.destroy(new Error(`no connection within ${timeoutMs}ms`)));
    socket.once('error', (e) => resolve({ ok: false, message: `connect to port ${port}: ${errorText(e)}` }));
  });
}

function probeExec(command: string[], target: ProbeTarget, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    let stderr = '';
    const child = spawn(command[0]!, command.slice(1), {
      cwd: target.cwd,
      env: target.env,
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
    });
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < 500) stderr += d.toString('utf8');
    });
    child.once('error', (e) => resolve({ ok: false, message: `${command[0]}: ${errorText(e)}` }));
    child.once('close', (code, signal) => {
      if (code === 0) resolve({ ok: true, message: 'exit 0' });
      else if (signal) resolve({ ok: false, message: `${command[0]} timed out or was killed (${signal})` });
      else
        resolve({
          ok: false,
          message: `${command[0]} exited with ${code}${stderr ? `: ${stderr.trim().split('\n').pop()}` : ''}`,
        });
    });
  });
}

function errorText(e: Error): string {
  const code = (e as NodeJS.ErrnoException).code;
  return code && !e.message.includes(code) ? `${code} ${e.message}` : e.message;
}
