import { afterEach, describe, expect, it } from 'vitest';
import type { ChangeOutcome } from '../../promote/index.js';
import type { GateResult } from '../../store/ledger-types.js';
import { ExitCode } from '../exit-codes.js';
import { exitForDryRun } from './set-image.js';

const outcome = (mode: ChangeOutcome['mode'], gates: GateResult[]): ChangeOutcome => ({
  mode,
  app: 'hello',
  env: 'prod',
  artifacts: [],
  gates,
  diff: '',
});
const gate = (name: GateResult['gate'], passed: boolean): GateResult => ({ gate: name, passed, message: '' });

describe('the exit code of a dry run', () => {
  afterEach(() => {
    process.exitCode = undefined;
  });

  it('is 6 when a gate would block the change', () => {
    exitForDryRun(outcome('dry-run', [gate('source-healthy', false), gate('render', true)]));
    expect(process.exitCode).toBe(ExitCode.GateWouldBlock);
  });

  it('stays 0 when every gate passes or only approvals are missing (the change would open a request)', () => {
    exitForDryRun(outcome('dry-run', [gate('render', true), gate('approvals', false)]));
    expect(process.exitCode).toBeUndefined();
    exitForDryRun(outcome('committed', [gate('render', false)]));
    expect(process.exitCode).toBeUndefined();
  });
});
