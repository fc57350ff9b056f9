/**
 * Names Sluice writes on Kubernetes objects. Labels are for selection (watches, inventory
 * queries); annotations carry what nobody selects on.
 */

/** Field manager for every server-side apply; managedFields under this name are what Sluice owns. */
export const FIELD_MANAGER = 'sluice';

export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'sluice';
export const LABEL_PROJECT = 'sluice.dev/project';
export const LABEL_APP = 'sluice.dev/app';
export const LABEL_ENV = 'sluice.dev/env';

/** Config revision that last changed the object (not every revision synced: an unchanged object is left alone). */
export const ANNOTATION_REVISION = 'sluice.dev/revision';
/** Integer; lower waves are applied first (after namespaces and CRDs). */
export const ANNOTATION_WAVE = 'sluice.dev/sync-wave';
/**
 * `"true"` on every declaration of an object several apps or environments declare alike
 * (a Namespace two apps deploy into): not a conflict, and owned by no one scope's applyset.
 */
export const ANNOTATION_SHARED = 'sluice.dev/shared';
/** Applyset id that shared objects are part of: any scope's sync may find them, none prunes them alone. */
export const SHARED_APPLYSET = 'sluice-shared';

/** A CEL expression over `object` deciding health; see health-cel.ts. */
export const ANNOTATION_HEALTH = 'sluice.dev/health';

// KEP-3659 ApplySet names.
export const LABEL_APPLYSET_ID = 'applyset.kubernetes.io/id';
export const LABEL_APPLYSET_PART_OF = 'applyset.kubernetes.io/part-of';
export const ANNOTATION_APPLYSET_TOOLING = 'applyset.kubernetes.io/tooling';
export const ANNOTATION_APPLYSET_GROUP_KINDS = 'applyset.kubernetes.io/contains-group-kinds';
export const ANNOTATION_APPLYSET_NAMESPACES = 'applyset.kubernetes.io/additional-namespaces';
export const APPLYSET_TOOLING = 'sluice/v0';

/** Marks inventory parents so scopes() can find every scope with one list call. */
export const LABEL_INVENTORY = 'sluice.dev/inventory';
