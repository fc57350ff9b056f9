import { Breather } from '../model/breather.js';
import { formatFieldPath, type App, type Environment, type Project, type Target } from '../config/index.js';
import { RenderError, ValidationError, isSluiceError, type SluiceError } from '../errors/index.js';
import { fieldLocation, resourceRef, type RenderedResource, type Resource } from '../model/resource.js';
import { assertPolicy, errorViolation, evaluatePolicy, type PolicyReport, type Violation } from '../policy/index.js';
import { targetAccepts, validateForTarget } from '../providers/index.js';
import { renderApp, type AppRender } from '../render/index.js';
import { DecryptingFs, SecretError, stripInternalAnnotations } from '../secrets/index.js';
import type { ReadonlyFs } from '../vfs/index.js';
import type { DeclaredElsewhere, ResourceIssue } from '../providers/types.js';
import { claimsOf, conflictsWith, connectionOf, type ScopeClaims } from './conflicts.js';
import { emptyRenderError, ReadRecordingFs } from './empty.js';
import { deployments, scopeKey, type ScopeRef } from './scopes.js';

/** What one app runs in one environment at a revision, once every check before apply passed. */
export interface DesiredState {
  renderer: string;
  /** As rendered, with where each resource came from (for policy, reports and `sluice render`). */
  rendered: RenderedResource[];
  /** What plan and apply get: Sluice's internal annotations removed. */
  resources: Resource[];
  /** Every policy finding, warnings included (errors have already refused the state). */
  policy: PolicyReport;
}

/** Everything found about one app × environment, for reports that show all of it (`sluice validate`). */
export interface ScopeFindings {
  /** Resources rendered; 0 when the render failed. */
  resources: number;
  violations: Violation[];
}

export interface DesiredOptions {
  /** Force a renderer instead of detecting one (`sluice render --renderer`). */
  renderer?: string;
  /**
   * By target name, a check that replaces the target kind's own (`sluice validate
   * --schema-from-cluster`: the schema the cluster serves instead of the shipped one).
   */
  validators?: ReadonlyMap<string, (resource: Resource) => ResourceIssue[]>;
}

/** One scope's render and its own checks, before it is compared with the other apps. */
interface Staged {
  state: DesiredState;
  /** Problems found in this scope alone (target kind and validation); policy is in state.policy. */
  problems: SluiceError[];
  claims: ScopeClaims;
  /** Every file the render read: what a newer revision must change to change this render. */
  reads: readonly string[];
}

/**
 * The one way from a revision to the resources to apply — render (decrypting what the render
 * reads), the target kind's validation, an empty render refused, cross-app checks, policy —
 * used alike by the controller, `sluice validate`, `sluice render`, the plan behind `sluice
 * diff` and the promotion check. Pure: it reads the revision's tree and asks the target
 * registry, never a live target. Build one per revision and share it: renders are kept.
 */
/** Claim keys on one connection: how many scopes claim each, what each claims, and the scopes that did not render. */
interface ClaimIndex {
  counts: Map<string, number>;
  own: Map<string, Map<string, number>>;
  failed: Set<string>;
}

/** A scope that claims a key, and where it stands in sluice.yaml's order. */
interface ClaimOwner {
  position: number;
  scope: string;
  claims: ScopeClaims;
}

export class DesiredStates {
  private readonly staged = new Map<string, Promise<Staged>>();
  private owners: Promise<Map<string, ClaimOwner[]>> | undefined;
  private readonly claimIndex = new Map<string, Promise<ClaimIndex>>();
  private scopeList: ScopeRef[] | undefined;

  constructor(
    readonly fs: ReadonlyFs,
    readonly project: Project,
    private readonly options: DesiredOptions = {},
  ) {}

  /** The scopes the revision deploys (see `deployments`). */
  get scopes(): ScopeRef[] {
    return (this.scopeList ??= deployments(this.project, this.fs));
  }

  /** The state to apply; throws the first problem, with file and line, and then nothing may be applied. */
  async of(app: App, env: Environment): Promise<DesiredState> {
    const staged = await this.stage(app, env);
    const [first] = [...staged.problems, ...(await this.conflicts(app, env, staged))];
    if (first) throw first;
    assertPolicy(staged.state.policy);
    return staged.state;
  }

  /** The files a scope's render read, once it rendered in this revision; undefined otherwise. */
  async readsOf(app: string, env: string): Promise<readonly string[] | undefined> {
    const staged = await this.staged.get(scopeKey(app, env))?.catch(() => undefined);
    return staged?.reads;
  }

  /**
   * Takes a scope's render from an older revision whose inputs are byte for byte the same, so
   * the scope is not rendered again (for a sync, a drift check, or another scope's questions).
   */
  carryOver(app: string, env: string, from: DesiredStates): void {
    const key = scopeKey(app, env);
    const staged = from.staged.get(key);
    if (staged && !this.staged.has(key)) this.staged.set(key, staged);
  }

  /** Every finding about the scope as violations; never throws for bad input. */
  async findings(app: App, env: Environment): Promise<ScopeFindings> {
    const where = { app: app.name, env: env.name };
    let staged: Staged;
    try {
      staged = await this.stage(app, env);
    } catch (e) {
      if (!isSluiceError(e)) throw e;
      const rule = e instanceof SecretError ? 'secrets-decrypt' : e.code === 'EMPTY_RENDER' ? 'empty' : 'render';
      return { resources: 0, violations: [errorViolation(rule, e, where)] };
    }
    const own = staged.problems.map((e) => errorViolation('target', e, where));
    const cross = (await this.conflicts(app, env, staged)).map((e) => errorViolation('cross-app', e, where));
    return {
      resources: staged.state.rendered.length,
      violations: [...own, ...cross, ...staged.state.policy.violations],
    };
  }

  /**
   * What every other scope of the revision on the same target declares, as claim keys: a
   * scope's pruning (or its removal) must leave those objects alone. A scope that does not
   * render makes the answer incomplete.
   */
  async declaredElsewhere(target: Target, app: string, env: string): Promise<DeclaredElsewhere> {
    const connection = connectionOf(target);
    let index = this.claimIndex.get(connection);
    if (!index) {
      index = this.indexClaims(connection);
      this.claimIndex.set(connection, index);
    }
    const { counts, own, failed } = await index;
    // A render that failed may succeed when asked again (a key service that was away): ask then.
    if (failed.size > 0) this.claimIndex.delete(connection);
    const self = scopeKey(app, env);
    const mine = own.get(self);
    return {
      keys: { has: (key) => (counts.get(key) ?? 0) > (mine?.get(key) ?? 0) },
      complete: failed.size === 0 || (failed.size === 1 && failed.has(self)),
    };
  }

  /**
   * How many scopes on one connection claim each key, counted once per revision: every drift
   * check and sync asks what the others declare, and going through every scope for each of
   * them costs the square of the scopes.
   */
  private async indexClaims(connection: string): Promise<ClaimIndex> {
    const index: ClaimIndex = { counts: new Map(), own: new Map(), failed: new Set() };
    const breather = new Breather();
    for (const s of this.scopes) {
      await breather.breathe();
      if (connectionOf(this.targetOf(s.env)) !== connection) continue;
      const key = scopeKey(s.app.name, s.env.name);
      const staged = await this.stage(s.app, s.env).catch(() => undefined);
      if (!staged) {
        index.failed.add(key);
        continue;
      }
      const mine = new Map<string, number>();
      for (const c of staged.claims.claims) {
        mine.set(c.key, (mine.get(c.key) ?? 0) + 1);
        index.counts.set(c.key, (index.counts.get(c.key) ?? 0) + 1);
      }
      index.own.set(key, mine);
    }
    return index;
  }

  private targetOf(env: Environment): Target {
    const target = this.project.targets.get(env.target);
    // parseProject checks every environment names a target.
    if (!target) throw new Error(`environment "${env.name}" names no known target "${env.target}"`);
    return target;
  }

  /** Renders and checks one scope alone; kept when it succeeds, tried again when it failed. */
  private stage(app: App, env: Environment): Promise<Staged> {
    const key = scopeKey(app.name, env.name);
    let staged = this.staged.get(key);
    if (!staged) {
      staged = this.render(app, env);
      this.staged.set(key, staged);
      staged.catch(() => this.staged.delete(key));
    }
    return staged;
  }

  private async render(app: App, env: Environment): Promise<Staged> {
    const fs = this.fs;
    // A decrypting tree decrypts exactly what this render reads (its failures are this app's)
    // and says what was read; any other tree is watched for the same answer.
    let out: AppRender;
    let read: readonly string[];
    if (fs instanceof DecryptingFs) {
      ({ value: out, read } = await fs.decrypting(() => renderApp(fs, app, env.name, this.options.renderer)));
    } else {
      const watched = new ReadRecordingFs(fs);
      out = renderApp(watched, app, env.name, this.options.renderer);
      read = watched.read;
    }
    const rendered = out.resources;
    if (rendered.length === 0 && !app.allowEmpty) throw emptyRenderError(fs, app.name, env.name, out.dir, read);
    const target = this.targetOf(env);
    const problems = rendered.flatMap((r) => checkOnTarget(r, target, env, this.options.validators?.get(env.target)));
    const encryptedFiles = fs instanceof DecryptingFs ? fs.encryptedPaths : new Set<string>();
    const policy = evaluatePolicy(rendered, env, this.project, { app: app.name, encryptedFiles });
    return {
      state: {
        renderer: out.renderer,
        rendered,
        resources: rendered.map((r) => stripInternalAnnotations(r.object)),
        policy,
      },
      problems,
      claims: claimsOf({ app, env, target }, rendered),
      reads: [...new Set(read)],
    };
  }

  /**
   * What this scope claims on its target that another scope of the revision on the same
   * target claims too. A scope that does not render claims nothing here: its own status says why.
   */
  private async conflicts(app: App, env: Environment, staged: Staged): Promise<SluiceError[]> {
    const owners = await (this.owners ??= this.indexOwners());
    const self = scopeKey(app.name, env.name);
    // Only scopes that claim one of this scope's keys can conflict with it; kept in sluice.yaml's order.
    const found = new Map<number, ScopeClaims>();
    for (const c of staged.claims.claims)
      for (const o of owners.get(c.key) ?? []) if (o.scope !== self) found.set(o.position, o.claims);
    const others = [...found.entries()].sort(([a], [b]) => a - b).map(([, claims]) => claims);
    return conflictsWith(staged.claims, others);
  }

  /**
   * Every claim key of the revision with the scopes that claim it, rendered once: checking each
   * scope against every other one costs the square of the scopes.
   */
  private async indexOwners(): Promise<Map<string, ClaimOwner[]>> {
    const owners = new Map<string, ClaimOwner[]>();
    const breather = new Breather();
    for (const [position, s] of this.scopes.entries()) {
      await breather.breathe();
      const staged = await this.stage(s.app, s.env).catch(() => undefined);
      if (!staged) continue;
      const owner = { position, scope: scopeKey(s.app.name, s.env.name), claims: staged.claims };
      for (const key of new Set(staged.claims.claims.map((c) => c.key))) {
        const list = owners.get(key);
        if (list) list.push(owner);
        else owners.set(key, [owner]);
      }
    }
    return owners;
  }
}

/** The target kind's word on one resource: does it run it, and would it refuse a field. */
function checkOnTarget(
  r: RenderedResource,
  target: Target,
  env: Environment,
  validate: ((resource: Resource) => ResourceIssue[]) | undefined,
): SluiceError[] {
  const ref = resourceRef(r.object);
  if (!targetAccepts(target, r.object))
    return [
      new RenderError('UNSUPPORTED_KIND', `${ref} (${r.object.apiVersion}) cannot run on a ${target.provider} target`, {
        file: r.origin?.file,
        line: r.origin?.line,
        resource: ref,
        hint: `Environment "${env.name}" uses target "${env.target}" (${target.provider}); fix the apiVersion or kind, or move the resource to an environment whose target runs it.`,
      }),
    ];
  return (validate ? validate(r.object) : validateForTarget(target, r.object)).map((issue) => {
    const at = fieldLocation(r.origin, issue.path);
    return new ValidationError('RESOURCE_INVALID', `${ref}: ${issue.message}`, {
      file: at?.file,
      line: at?.line,
      field: formatFieldPath(issue.path),
      resource: ref,
      hint: issue.hint ?? 'Fix the field in the manifest; nothing was applied.',
    });
  });
}
