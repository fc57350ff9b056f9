import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { generateIdentity, identityToRecipient } from 'age-encryption';
import { renderCommand } from '../../../src/cli/commands/render.js';
import { formatResult, runValidate, validateCommand } from '../../../src/cli/commands/validate.js';
import { loadProjectFile } from '../../../src/config/index.js';
import { RenderError, describeError } from '../../../src/errors/index.js';
import type { Resource } from '../../../src/model/resource.js';
import { PolicyError, evaluatePolicy, validateTargets } from '../../../src/policy/index.js';
import { toJunit, toSarif } from '../../../src/policy/report/index.js';
import { renderApp } from '../../../src/render/index.js';
import {
  SecretRegistry,
  decryptSopsFile,
  encryptSopsFile,
  openDecryptingFs,
  redactResource,
} from '../../../src/secrets/index.js';
import { DiskFs } from '../../../src/vfs/index.js';
import { captureStd, findCanaries, findCanaryTraces, lineDiff, makeCanaries, plantCanaryRepo } from './canary.js';

const identity = await generateIdentity();
const recipient = await identityToRecipient(identity);
const ids = { identities: [identity], searched: [] };
const repo = await plantCanaryRepo(mkdtempSync(join(tmpdir(), 'sluice-canary-')), recipient);
const outputs: Record<string, string> = {};

describe('secret canary', () => {
  it('the canaries really are in the decrypted tree (the test would be vacuous otherwise)', async () => {
    const registry = new SecretRegistry();
    const fs = await openDecryptingFs(new DiskFs(repo.dir), { identities: ids, registry });
    expect([...fs.encryptedPaths].sort()).toEqual([...repo.encrypted].sort());
    const generated = renderApp(fs, { name: 'kust', path: 'apps/kust' }, 'dev').resources.find(
      (r) => r.object.kind === 'Secret',
    )!;
    expect(Buffer.from((generated.object['data'] as Record<string, string>)['API_TOKEN']!, 'base64').toString()).toBe(
      repo.canaries[2],
    );
    const [c0, c1, c2, c3] = repo.canaries;
    // Whole decrypted values are learned; a canary embedded in a URL is masked with its URL.
    expect(registry.mask(`${c0} postgres://app:${c1}@db/app ${c2} ${c3}`)).not.toContain('CANARY');
  });

  it('validate output in every format, with and without a key', async () => {
    for (const withKey of [true, false]) {
      const result = await runValidate({ dir: repo.dir, identities: withKey ? ids : { identities: [], searched: [] } });
      expect(result.targets.length).toBeGreaterThan(0);
      for (const f of ['text', 'json', 'junit', 'sarif'] as const)
        outputs[`validate ${f} key=${withKey}`] = formatResult(result, f);
    }
    const cli = await captureStd(() =>
      validateCommand().exitOverride().parseAsync(['node', 'validate', repo.dir, '-o', 'json']),
    );
    // The command sets the exit code for a real run; this is a test process.
    expect(process.exitCode).toBe(3);
    process.exitCode = undefined;
    outputs['validate CLI stdout'] = cli.stdout;
    outputs['validate CLI stderr'] = cli.stderr;
  });

  it('render errors that quote decrypted content are masked', async () => {
    const registry = new SecretRegistry();
    const fs = await openDecryptingFs(new DiskFs(repo.dir), { identities: ids, registry });
    const project = loadProjectFile(join(repo.dir, 'sluice.yaml'));
    const quoting = () => {
      throw new RenderError('BAD_LINE', `cannot parse line "key: ${repo.canaries[3]}"`, {
        file: 'apps/broken/base/bad.yaml',
        line: 5,
      });
    };
    const result = validateTargets({
      project,
      targets: [{ app: project.apps[2]!, env: project.environments[0]! }],
      render: quoting,
      registry,
    });
    expect(result.report.errors).toBe(1);
    outputs['render error junit'] = toJunit(result);
    outputs['render error sarif'] = JSON.stringify(toSarif(result));
    try {
      renderApp(fs, { name: 'broken', path: 'apps/broken' }, 'dev');
    } catch (e) {
      outputs['real render error'] = registry.mask(describeError(e));
    }
  });

  it('policy findings and PolicyError name keys, not values', () => {
    const [c0] = repo.canaries;
    const plaintext: Resource = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'leak' },
      stringData: { password: c0! },
    };
    const report = evaluatePolicy([{ object: plaintext, origin: { file: 'x.yaml', line: 1 } }], {
      name: 'prod',
      policy: {},
    });
    expect(report.errors).toBe(1);
    const err = new PolicyError(report);
    outputs['policy report'] = JSON.stringify(report);
    outputs['PolicyError'] = `${err.describe()}\n${JSON.stringify(err.toJSON())}`;
  });

  it('a diff of two Secret versions says what changed, not how', () => {
    const [c0, c1] = repo.canaries;
    const before: Resource = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db' },
      data: { password: Buffer.from(c0!).toString('base64') },
    };
    const after: Resource = { ...before, data: { password: Buffer.from(c1!).toString('base64') } };
    const diff = lineDiff(stringify(redactResource(before)), stringify(redactResource(after)));
    expect(diff).toMatch(/^- .*‹secret:sha256:/m);
    expect(diff).toMatch(/^\+ .*‹secret:sha256:/m);
    outputs['diff'] = diff;
  });

  it('decryption errors (wrong key, tampered value, bad MAC) never include values', async () => {
    const [c0] = makeCanaries(1) as [string];
    const enc = await encryptSopsFile(`a: ${c0}\nb: ${c0}-2\n`, 'e.yaml', { recipients: [recipient] });
    const other = await generateIdentity();
    const lines = enc.split('\n');
    const swapped = lines
      .map((l) => (l.startsWith('a: ') ? `a: ${lines.find((x) => x.startsWith('b: '))!.slice(3)}` : l))
      .join('\n');
    const dropped = lines.filter((l) => !l.startsWith('b: ')).join('\n');
    // Each rejection is caught as it is created: awaiting them one by one would leave a later
    // one rejected without a handler while an earlier one is awaited.
    const caught = (p: Promise<unknown>) =>
      p.then(
        () => undefined,
        (x: unknown) => x,
      );
    const cases = {
      wrong: caught(decryptSopsFile(enc, 'e.yaml', { identities: [other], searched: [] })),
      tampered: caught(decryptSopsFile(swapped, 'e.yaml', ids)),
      mac: caught(decryptSopsFile(dropped, 'e.yaml', ids)),
    };
    for (const [label, p] of Object.entries(cases)) {
      const e = await p;
      expect(e, label).toBeDefined();
      outputs[`error ${label}`] = `${describeError(e)}\n${JSON.stringify(e)}`;
    }
    expect(findCanaries(outputs, [c0])).toEqual([]);
  });

  it('sluice render shows fingerprints for Secrets, generated Secrets and files, by default', async () => {
    const saved = process.env['SOPS_AGE_KEY'];
    process.env['SOPS_AGE_KEY'] = identity;
    try {
      for (const app of ['plain', 'kust'])
        for (const format of ['yaml', 'json']) {
          const run = await captureStd(() =>
            renderCommand()
              .exitOverride()
              .parseAsync(['node', 'render', app, '--env', 'dev', '--repo', repo.dir, '-o', format]),
          );
          expect(run.error).toBeUndefined();
          expect(run.stdout).toMatch(/‹secret:sha256:[0-9a-f]{8}›/);
          outputs[`render ${app} ${format}`] = run.stdout + run.stderr;
        }
      // --show-secrets is the explicit local way to see them: proof the render held them.
      const shown = await captureStd(() =>
        renderCommand()
          .exitOverride()
          .parseAsync(['node', 'render', 'plain', '--env', 'dev', '--repo', repo.dir, '--show-secrets']),
      );
      expect(findCanaryTraces({ shown: shown.stdout }, repo.canaries.slice(4, 6))).toEqual(['shown']);
    } finally {
      if (saved === undefined) delete process.env['SOPS_AGE_KEY'];
      else process.env['SOPS_AGE_KEY'] = saved;
    }
  });

  it('no output contains a canary, in any escaped or encoded form', () => {
    expect(Object.keys(outputs).length).toBeGreaterThan(10);
    expect(findCanaries(outputs, repo.canaries)).toEqual([]);
    expect(findCanaryTraces(outputs, repo.canaries)).toEqual([]);
  });
});
