import type { Resource } from '../../model/resource.js';
import type { Change, ChangeAction } from '../../plan/types.js';
import { resourceRef } from '../../model/resource.js';
import { ownedView, resourceDiff } from './diff.js';
import { mergeFieldSets, ownedFields } from './managed-fields.js';
import { ANNOTATION_REVISION } from './labels.js';

/** Builds plan entries with their diffs over the fields Sluice owns (before and after). */

function dropRevision(view: Record<string, unknown>): Record<string, unknown> {
  const meta = view.metadata as { annotations?: Record<string, string> } | undefined;
  if (meta?.annotations && ANNOTATION_REVISION in meta.annotations) {
    const { [ANNOTATION_REVISION]: _r, ...rest } = meta.annotations;
    meta.annotations = rest;
    if (Object.keys(rest).length === 0) delete meta.annotations;
  }
  return view;
}

/** Owned views of live and the (dry-run or real) apply result, over the union of both field sets. */
export function views(
  live: Resource | undefined,
  result: Resource,
): { before?: Record<string, unknown>; after: Record<string, unknown> } {
  const after = ownedFields(result);
  const fs = mergeFieldSets(live ? ownedFields(live) : undefined, after);
  return {
    before: live ? dropRevision(ownedView(live, fs)) : undefined,
    after: dropRevision(ownedView(result, after)),
  };
}

export function change(action: ChangeAction, key: string, obj: Resource, reason?: string, diff?: string): Change {
  const c: Change = { action, key, kind: obj.kind, name: obj.metadata.name };
  if (obj.metadata.namespace) c.namespace = obj.metadata.namespace;
  if (reason) c.reason = reason;
  if (diff) c.diff = diff;
  return c;
}

export function diffFor(live: Resource | undefined, result: Resource): string {
  const v = views(live, result);
  return resourceDiff(result, v.before, v.after, resourceRef(result));
}

export function deletionDiff(live: Resource): string {
  return resourceDiff(live, dropRevision(ownedView(live, ownedFields(live))), undefined, resourceRef(live));
}

/** A create the server cannot dry-run yet (its namespace or CRD comes in the same sync). */
export function localCreateDiff(desired: Resource): string {
  const view = dropRevision(structuredClone(desired) as Record<string, unknown>);
  return resourceDiff(desired, undefined, view, resourceRef(desired));
}
