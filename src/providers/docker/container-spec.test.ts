import { describe, expect, it } from 'vitest';
import { createOptions, durationNs, expectedBindings, proxiedPorts, serviceIssues } from './container-spec.js';
import { composeProjectName } from './labels.js';

describe('container settings of a service', () => {
  const ctx = {
    project: 'web-dev',
    scopeLabel: 'shop/dev/web',
    service: 'web',
    number: 2,
    hash: 'h',
    revision: 'abc',
    volumes: new Map([['data', {}]]),
    networks: new Map([['default', {}]]),
    workingDir: '/srv/sluice/docker/web-dev',
  };

  it('maps the canonical compose form onto the Engine API', () => {
    const o = createOptions(
      'web-dev-web-2',
      {
        image: 'shop/web:1',
        environment: { A: '1', UNSET: null },
        ports: [{ target: 8080, published: '80', protocol: 'tcp', host_ip: '127.0.0.1' }],
        volumes: [
          { type: 'volume', source: 'data', target: '/data' },
          { type: 'bind', source: '/etc/app', target: '/etc/app', read_only: true },
        ],
        healthcheck: { test: ['CMD', 'true'], interval: '1m30s', retries: 3 },
        restart: 'on-failure:5',
      },
      ctx,
    );
    expect(o.Env).toEqual(['A=1']);
    // Sluice holds the fixed TCP port (port-proxy.ts); the container takes an ephemeral loopback one.
    expect(o.HostConfig?.PortBindings).toEqual({ '8080/tcp': [{ HostPort: '', HostIp: '127.0.0.1' }] });
    expect(o.HostConfig?.Mounts).toEqual([
      { Type: 'volume', Source: 'web-dev_data', Target: '/data', ReadOnly: false },
      { Type: 'bind', Source: '/etc/app', Target: '/etc/app', ReadOnly: true },
    ]);
    expect(o.HostConfig?.RestartPolicy).toEqual({ Name: 'on-failure', MaximumRetryCount: 5 });
    expect(o.HostConfig?.NetworkMode).toBe('web-dev_default');
    expect(o.Healthcheck).toEqual({ Test: ['CMD', 'true'], Interval: 90e9, Retries: 3 });
    expect(o.Labels).toMatchObject({
      'com.docker.compose.project': 'web-dev',
      'com.docker.compose.container-number': '2',
      'com.docker.compose.project.working_dir': '/srv/sluice/docker/web-dev',
      'dev.sluice.scope': 'shop/dev/web',
    });
  });

  it('joins networks by service name and aliases, disables a healthcheck, sizes a tmpfs', () => {
    const o = createOptions(
      'web-dev-web-1',
      {
        image: 'a',
        networks: { back: { aliases: ['api'], ipv4_address: '10.5.0.9' } },
        healthcheck: { disable: true },
        volumes: [{ type: 'tmpfs', target: '/tmp', tmpfs: { size: '64m' } }],
      },
      { ...ctx, networks: new Map([['back', { name: 'shared-back' }]]) },
    );
    expect(o.NetworkingConfig?.EndpointsConfig).toEqual({
      'shared-back': { Aliases: ['web', 'api'], IPAMConfig: { IPv4Address: '10.5.0.9' } },
    });
    expect(o.HostConfig?.NetworkMode).toBe('shared-back');
    expect(o.Healthcheck).toEqual({ Test: ['NONE'] });
    expect(o.HostConfig?.Mounts).toEqual([
      { Type: 'tmpfs', Target: '/tmp', TmpfsOptions: { SizeBytes: 64 * 1024 ** 2 } },
    ]);
  });

  it('reads compose durations', () => {
    expect(durationNs('1m30s')).toBe(90e9);
    expect(durationNs('500ms')).toBe(5e8);
    expect(durationNs('1h')).toBe(3600e9);
  });

  it('refuses what it cannot run, naming the field', () => {
    expect(
      serviceIssues({ image: 'a', build: '.', deploy: { replicas: -1, resources: {} }, restart: 'sometimes' }),
    ).toEqual([
      expect.objectContaining({ path: ['spec', 'build'] }),
      expect.objectContaining({ path: ['spec', 'deploy', 'resources'] }),
      expect.objectContaining({ path: ['spec', 'deploy', 'replicas'] }),
      expect.objectContaining({ path: ['spec', 'restart'] }),
    ]);
    expect(
      serviceIssues({ image: 'a', volumes: [{ type: 'bind', source: 'apps/web/base/conf', target: '/c' }] }),
    ).toEqual([expect.objectContaining({ path: ['spec', 'volumes', 0, 'source'] })]);
    expect(serviceIssues({ image: 'a', healthcheck: { test: ['NONE'], interval: 'soon' } })).toEqual([
      expect.objectContaining({ path: ['spec', 'healthcheck', 'interval'] }),
    ]);
  });

  it('names the Compose project after app and environment, as Compose accepts names', () => {
    expect(composeProjectName({ project: 'shop', app: 'Web.API', env: 'prod' })).toBe('web-api-prod');
    expect(composeProjectName({ project: 'shop', app: '_x', env: 'dev' })).toBe('x-dev');
  });

  it('holds fixed TCP ports in Sluice, and leaves them to the Engine when one is UDP', () => {
    const tcp = {
      image: 'web:1',
      ports: [
        { target: 8080, published: '80', protocol: 'tcp' as const, host_ip: '10.0.0.1' },
        { target: 9090, protocol: 'tcp' as const },
      ],
    };
    expect(proxiedPorts(tcp)).toEqual([{ host: '10.0.0.1', port: 80, target: 8080 }]);
    expect(expectedBindings(tcp)).toEqual(['8080/tcp=', '9090/tcp=']);
    const withUdp = {
      image: 'dns:1',
      ports: [
        { target: 53, published: '53', protocol: 'udp' as const },
        { target: 8080, published: '8080', protocol: 'tcp' as const },
      ],
    };
    expect(proxiedPorts(withUdp)).toEqual([]);
    expect(expectedBindings(withUdp)).toEqual(['53/udp=53', '8080/tcp=8080']);
    expect(createOptions('dns-1', withUdp, ctx).HostConfig?.PortBindings).toEqual({
      '53/udp': [{ HostPort: '53' }],
      '8080/tcp': [{ HostPort: '8080' }],
    });
  });
});
