import { describe, expect, it } from 'vitest';
import { KubeApiError } from './client.js';
import { describeApiError, parseConflicts } from './apply.js';

describe('API errors', () => {
  it('reads field manager conflicts from the Status causes', () => {
    const err = new KubeApiError(409, {
      message: 'Apply failed with 2 conflicts',
      reason: 'Conflict',
      details: {
        causes: [
          {
            reason: 'FieldManagerConflict',
            message: 'conflict with "kubectl-edit" using apps/v1',
            field: '.spec.replicas',
          },
          { reason: 'FieldManagerConflict', message: 'conflict with "helm"', field: '.metadata.labels.tier' },
        ],
      },
    });
    expect(parseConflicts(err)).toEqual([
      { manager: 'kubectl-edit', field: '.spec.replicas' },
      { manager: 'helm', field: '.metadata.labels.tier' },
    ]);
  });

  it('names the resource and classifies schema errors as invalid manifests', () => {
    const err = new KubeApiError(500, {
      message:
        'failed to create typed patch object (/v1, Kind=ConfigMap): .data.a: expected string, got &value.valueUnstructured{Value:true}',
    });
    const pe = describeApiError(
      err,
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'n' } },
      'apply of',
    ) as unknown as { code: string; message: string; retry: boolean; location: { resource: string } };
    expect(pe.code).toBe('KUBE_INVALID');
    // A manifest the server refuses stays refused: the sync stalls until a new revision, never retried.
    expect(pe.retry).toBe(false);
    expect(pe.message).toBe(
      'apply of ConfigMap/n/c failed: .data.a: expected string, got &value.valueUnstructured{Value:true}',
    );
    expect(pe.location.resource).toBe('ConfigMap/n/c');
  });

  it('never repeats a value the server quotes back for a Secret', () => {
    const err = new KubeApiError(422, {
      message: 'Secret "s" is invalid',
      details: {
        causes: [
          {
            reason: 'FieldValueInvalid',
            message: 'Invalid value: "hunter2": a valid config key must consist of alphanumeric characters',
            field: 'data[bad key]',
          },
        ],
      },
    });
    const pe = describeApiError(
      err,
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'n' } },
      'apply of',
    ) as Error;
    expect(pe.message).not.toContain('hunter2');
    expect(pe.message).toContain('Invalid value: ***');
    const typed = new KubeApiError(500, {
      message:
        'failed to create typed patch object (x): .data.a: expected string, got &value.valueUnstructured{Value:12345}',
    });
    expect(
      (describeApiError(typed, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } }, 'apply of') as Error)
        .message,
    ).not.toContain('12345');
  });

  it('tells a missing namespace from a kind the server no longer serves', () => {
    const obj = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'n' } };
    const noNs = new KubeApiError(404, {
      reason: 'NotFound',
      message: 'namespaces "n" not found',
      details: { name: 'n', kind: 'namespaces' },
    });
    const noType = new KubeApiError(404, {
      reason: 'NotFound',
      message: 'the server could not find the requested resource',
    });
    expect((describeApiError(noNs, obj, 'apply of') as unknown as { code: string }).code).toBe('KUBE_NOT_FOUND');
    expect((describeApiError(noType, obj, 'apply of') as unknown as { code: string }).code).toBe('KUBE_UNKNOWN_KIND');
  });
});
