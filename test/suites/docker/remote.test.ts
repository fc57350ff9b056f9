import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ProviderError } from '../../../src/errors/index.js';
import { freePortBlock } from '../../support/sluice.js';
import { applyOptions, docker, harness, IMAGE, service } from './helpers.js';

/**
 * Remote Engines: a second dockerd on TLS with a CA this test makes, and the local Engine
 * through Debian's sshd on a free port, both reached as a docker target would reach them.
 */
const skip = inject('dockerSkip');
const root = process.getuid?.() === 0;
const why = skip || (root ? '' : 'a second dockerd and sshd need root');

let work: string;
const procs: ChildProcess[] = [];
const sh = (cmd: string, args: string[], cwd = work) =>
  execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

async function until(what: string, ok: () => boolean, proc: ChildProcess, log: () => string): Promise<void> {
  for (;;) {
    if (ok()) return;
    if (proc.exitCode !== null) throw new Error(`${what} exited: ${log()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function spawnLogged(cmd: string, args: string[], logFile: string): ChildProcess {
  const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks: Buffer[] = [];
  p.stdout!.on('data', (d: Buffer) => chunks.push(d));
  p.stderr!.on('data', (d: Buffer) => chunks.push(d));
  p.on('exit', () => writeFileSync(logFile, Buffer.concat(chunks)));
  procs.push(p);
  (p as ChildProcess & { output: () => string }).output = () => Buffer.concat(chunks).toString().slice(-3000);
  return p;
}
const output = (p: ChildProcess) => (p as ChildProcess & { output: () => string }).output();

/** A CA, and a certificate it signs for `cn`: a server one for 127.0.0.1 or a client one. */
function makeCa(name: string): void {
  sh('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    `/CN=${name}`,
    '-keyout',
    `${name}-key.pem`,
    '-out',
    `${name}.pem`,
  ]);
}
function makeCert(ca: string, name: string, usage: 'server' | 'client'): void {
  sh('openssl', [
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    `/CN=${name}`,
    '-keyout',
    `${name}-key.pem`,
    '-out',
    `${name}.csr`,
  ]);
  writeFileSync(
    join(work, `${name}.ext`),
    usage === 'server' ? 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' : 'extendedKeyUsage=clientAuth\n',
  );
  sh('openssl', [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${ca}.pem`,
    '-CAkey',
    `${ca}-key.pem`,
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    `${name}.ext`,
    '-out',
    `${name}.pem`,
  ]);
}

describe.skipIf(!!why)('docker target on a remote Engine over TLS', () => {
  let port: number;
  let remote: (...args: string[]) => string;
  const tls = () => ({ ca: join(work, 'ca.pem'), cert: join(work, 'client.pem'), key: join(work, 'client-key.pem') });

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'sluice-docker-tls-'));
    makeCa('ca');
    makeCert('ca', 'server', 'server');
    makeCert('ca', 'client', 'client');
    makeCa('other');
    makeCert('other', 'stranger', 'client');
    port = await freePortBlock(1);
    const d = spawnLogged(
      'dockerd',
      [
        '--data-root',
        join(work, 'data'),
        '--exec-root',
        join(work, 'exec'),
        '--pidfile',
        join(work, 'dockerd.pid'),
        '-H',
        `tcp://127.0.0.1:${port}`,
        '--tlsverify',
        '--tlscacert',
        join(work, 'ca.pem'),
        '--tlscert',
        join(work, 'server.pem'),
        '--tlskey',
        join(work, 'server-key.pem'),
        // No iptables of its own beside the host's dockerd. Not --bridge=none: a dockerd started
        // with it deletes the host's docker0, and every later container on the default bridge fails.
        '--iptables=false',
        '--ip-masq=false',
        '--default-address-pool',
        'base=10.213.0.0/16,size=24',
        '--storage-driver',
        'vfs',
      ],
      join(tmpdir(), `sluice-dockerd-tls-${port}.log`),
    );
    remote = (...args: string[]) =>
      sh('docker', [
        '-H',
        `tcp://127.0.0.1:${port}`,
        '--tlsverify',
        '--tlscacert',
        tls().ca,
        '--tlscert',
        tls().cert,
        '--tlskey',
        tls().key,
        ...args,
      ]).trim();
    await until(
      'the TLS dockerd',
      () => {
        try {
          remote('version');
          return true;
        } catch {
          return false;
        }
      },
      d,
      () => output(d),
    );
    // The test image, from the host's Engine: nothing is pulled.
    execFileSync('bash', [
      '-c',
      `docker save ${IMAGE} | docker -H tcp://127.0.0.1:${port} --tlsverify --tlscacert ${tls().ca} --tlscert ${tls().cert} --tlskey ${tls().key} load -q`,
    ]);
  }, 180_000);

  afterAll(async () => {
    try {
      const ids = remote('ps', '-aq');
      if (ids) remote('rm', '-f', ...ids.split('\n'));
    } catch {
      // The daemon may not have started.
    }
    for (const p of procs) p.kill('SIGTERM');
    await Promise.all(procs.map((p) => (p.exitCode === null ? new Promise((r) => p.once('exit', r)) : undefined)));
    procs.length = 0;
    rmSync(work, { recursive: true, force: true });
  });

  it('runs a Compose project on the TLS Engine, not on the local one', async () => {
    const h = harness({ host: `tcp://127.0.0.1:${port}`, tls: tls() });
    try {
      await h.provider.apply(h.scope, [service('web', {})], applyOptions());
      expect(remote('ps', '--filter', `label=com.docker.compose.project=${h.project}`, '--format', '{{.Names}}')).toBe(
        `${h.project}-web-1`,
      );
      expect(h.containers().size).toBe(0);
      const again = await h.provider.apply(h.scope, [service('web', {})], applyOptions());
      expect(again.summary.update).toBe(0);
      await h.provider.destroy(h.scope);
    } finally {
      await h.cleanup();
    }
  });

  it('names tls.ca when the Engine certificate is not signed by it', async () => {
    const h = harness({
      host: `tcp://127.0.0.1:${port}`,
      tls: { ca: join(work, 'other.pem'), cert: join(work, 'stranger.pem'), key: join(work, 'stranger-key.pem') },
    });
    try {
      const e = await h.provider.plan(h.scope, [service('web', {})], { prune: true }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ProviderError);
      expect(e).toMatchObject({ code: 'DOCKER_TLS' });
      expect((e as Error).message).toContain(`tls.ca ${join(work, 'other.pem')}`);
    } finally {
      await h.cleanup();
    }
  });

  it('names tls.cert when the Engine refuses the client certificate', async () => {
    const h = harness({
      host: `tcp://127.0.0.1:${port}`,
      tls: { ca: tls().ca, cert: join(work, 'stranger.pem'), key: join(work, 'stranger-key.pem') },
    });
    try {
      const e = await h.provider.plan(h.scope, [service('web', {})], { prune: true }).catch((x: unknown) => x);
      expect(e).toMatchObject({ code: 'DOCKER_TLS' });
      expect((e as Error).message).toContain(`tls.cert ${join(work, 'stranger.pem')}`);
    } finally {
      await h.cleanup();
    }
  });

  it('names the key file that does not belong to the certificate, before connecting', async () => {
    const h = harness({
      host: `tcp://127.0.0.1:${port}`,
      tls: { ...tls(), key: join(work, 'stranger-key.pem') },
    });
    try {
      const e = await h.provider.plan(h.scope, [], { prune: true }).catch((x: unknown) => x);
      expect(e).toMatchObject({ code: 'DOCKER_TLS_FILE' });
      expect((e as Error).message).toBe(
        `tls.key ${join(work, 'stranger-key.pem')} does not belong to the certificate ${tls().cert}`,
      );
    } finally {
      await h.cleanup();
    }
  });
});

describe.skipIf(!!why)('docker target over ssh', () => {
  let port: number;
  let sshConfig: string;
  const user = userInfo().username;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'sluice-docker-ssh-'));
    port = await freePortBlock(1);
    sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', 'host_key']);
    sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', 'id_sluice']);
    sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', 'id_other']);
    writeFileSync(join(work, 'authorized_keys'), readFileSync(join(work, 'id_sluice.pub')));
    writeFileSync(
      join(work, 'sshd_config'),
      [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${join(work, 'host_key')}`,
        `AuthorizedKeysFile ${join(work, 'authorized_keys')}`,
        `PidFile ${join(work, 'sshd.pid')}`,
        'StrictModes no',
        'UsePAM no',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'PermitRootLogin prohibit-password',
        '',
      ].join('\n'),
    );
    const hostKey = readFileSync(join(work, 'host_key.pub'), 'utf8').trim().split(' ').slice(0, 2).join(' ');
    writeFileSync(join(work, 'known_hosts'), `[127.0.0.1]:${port} ${hostKey}\n`);
    const client = (key: string) =>
      [
        'Host *',
        `  IdentityFile ${join(work, key)}`,
        '  IdentitiesOnly yes',
        `  UserKnownHostsFile ${join(work, 'known_hosts')}`,
        '  StrictHostKeyChecking yes',
        '',
      ].join('\n');
    sshConfig = join(work, 'ssh_config');
    writeFileSync(sshConfig, client('id_sluice'));
    writeFileSync(join(work, 'ssh_config_other'), client('id_other'));
    // sshd wants its privilege separation directory.
    mkdirSync('/run/sshd', { recursive: true });
    const d = spawnLogged('/usr/sbin/sshd', ['-D', '-e', '-f', join(work, 'sshd_config')], join(work, 'sshd.log'));
    await until(
      'sshd',
      () => {
        try {
          sh('ssh', ['-F', sshConfig, '-p', String(port), `${user}@127.0.0.1`, 'true']);
          return true;
        } catch {
          return false;
        }
      },
      d,
      () => output(d),
    );
  }, 60_000);

  afterAll(async () => {
    for (const p of procs) p.kill('SIGTERM');
    await Promise.all(procs.map((p) => (p.exitCode === null ? new Promise((r) => p.once('exit', r)) : undefined)));
    procs.length = 0;
    rmSync(work, { recursive: true, force: true });
  });

  it('runs a Compose project on the Engine behind ssh, through the system ssh', async () => {
    const h = harness({ host: `ssh://${user}@127.0.0.1:${port}`, sshConfig });
    try {
      await h.provider.apply(h.scope, [service('web', { deploy: { replicas: 2 } })], applyOptions());
      expect([...h.containers().keys()].sort()).toEqual([`${h.project}-web-1`, `${h.project}-web-2`]);
      expect(docker('inspect', '--format', '{{.State.Running}}', `${h.project}-web-2`)).toBe('true');
      const again = await h.provider.apply(h.scope, [service('web', { deploy: { replicas: 2 } })], applyOptions());
      expect(again.summary.update + again.summary.create).toBe(0);
    } finally {
      await h.cleanup();
    }
  });

  it('says what ssh said when it cannot log in', async () => {
    const h = harness({ host: `ssh://${user}@127.0.0.1:${port}`, sshConfig: join(work, 'ssh_config_other') });
    try {
      const e = await h.provider.plan(h.scope, [], { prune: true }).catch((x: unknown) => x);
      expect(e).toMatchObject({ code: 'DOCKER_SSH' });
      expect((e as Error).message).toContain(`ssh to ${user}@127.0.0.1 failed`);
      expect((e as Error).message).toMatch(/Permission denied/);
    } finally {
      await h.cleanup();
    }
  });
});
