/**
 * Render benchmark: Sluice's Kustomize engine against the real `kustomize build` on a large
 * generated tree (base of 2,000+ resources, three overlays deep, 60 patches, generators).
 * Checks the outputs are byte-identical, prints both times and the ratio, and fails when
 * Sluice is slower than half of kustomize's time. With CI=true a missing kustomize binary is
 * a failure; elsewhere the comparison is skipped.
 *
 * What is compared: Sluice runs in this process (median of warm runs, after one warm-up),
 * kustomize runs as its own process (median wall time of `kustomize build`). A cold Sluice
 * process (`node` + tsx start-up) is reported too, for reference.
 *
 * Then one process per build, as scripts and CI jobs run it: BENCH_ROOTS small roots (one
 * resource, or an overlay over a base in `../`) built by `sluice kustomize build` (the compiled
 * CLI, dist/ or a build of it under .cache/) and by `kustomize build`, each from the root's own
 * directory. Prints both wall times, their ratio and the median per build; outputs must match.
 * The same for every root of the real-world corpus when the kustomize-realworld suite has cached
 * it. Each twice: the command alone (from the engine's start-up snapshot when built), then with
 * `sluice kustomize server` running, as a script building many roots would start it. Fails
 * when the command alone takes longer than kustomize over the real-world corpus.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { kustomizeBuild } from '../src/render/kustomize/index.js';
import { DiskFs } from '../src/vfs/index.js';

const APPS = 500; // 4 resources each in the base → 2,000, plus generated ones
const RUNS = Number(process.env['BENCH_RUNS'] ?? 5);
const ROOTS = Number(process.env['BENCH_ROOTS'] ?? 200);

function write(root: string, path: string, text: string): void {
  const full = join(root, path);
  mkdirSync(join(full, '..'), { recursive: true });
  writeFileSync(full, text);
}

function generateTree(root: string): void {
  const res: string[] = [];
  for (let i = 0; i < APPS; i++) {
    const n = `app${i}`;
    write(
      root,
      `base/${n}.yaml`,
      `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${n}
  labels:
    app: ${n}
spec:
  replicas: 1
  selector:
    matchLabels:
      app: ${n}
  template:
    metadata:
      labels:
        app: ${n}
    spec:
      serviceAccountName: ${n}
      containers:
      - name: main
        image: registry.example.com/team/${n}:1.0.${i}
        ports:
        - containerPort: 8080
        envFrom:
        - configMapRef:
            name: ${n}-config
        env:
        - name: INDEX
          value: "${i}"
        - name: SHARED
          valueFrom:
            configMapKeyRef:
              name: shared
              key: level
        resources:
          requests:
            cpu: 100m
            memory: 128Mi
      volumes:
      - name: cfg
        configMap:
          name: ${n}-config
---
apiVersion: v1
kind: Service
metadata:
  name: ${n}
spec:
  selector:
    app: ${n}
  ports:
  - port: 80
    targetPort: 8080
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: ${n}-config
data:
  APP: ${n}
  DESCRIPTION: "Service number ${i}, a long description that is long enough to be folded by the YAML emitter at eighty columns"
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: ${n}
`,
    );
    res.push(`- ${n}.yaml`);
  }
  write(
    root,
    'base/kustomization.yaml',
    `resources:\n${res.join('\n')}\nconfigMapGenerator:\n- name: shared\n  literals:\n  - level=info\n`,
  );

  const smp = (i: number) => `- patch: |-
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: app${i}
    spec:
      template:
        spec:
          containers:
          - name: main
            env:
            - name: PATCHED
              value: "${i}"\n`;
  let mid =
    'resources:\n- ../base\nnamePrefix: team-\nlabels:\n- pairs:\n    team: blue\n  includeSelectors: true\ncommonAnnotations:\n  owner: platform\npatches:\n';
  for (let i = 0; i < 30; i++) mid += smp(i * 7);
  mid += 'configMapGenerator:\n';
  for (let i = 0; i < 10; i++) mid += `- name: mid-gen-${i}\n  literals:\n  - key=${i}\n`;
  write(root, 'mid/kustomization.yaml', mid);

  let env =
    'resources:\n- ../../mid\nnamespace: staging\nimages:\n- name: registry.example.com/team/app1\n  newTag: "2.0"\npatches:\n';
  for (let i = 0; i < 20; i++) {
    env += `- target:\n    kind: Deployment\n    name: team-app${i * 11}\n  patch: |-\n    - op: replace\n      path: /spec/replicas\n      value: ${i + 2}\n`;
  }
  env += 'secretGenerator:\n';
  for (let i = 0; i < 5; i++) env += `- name: secret-${i}\n  literals:\n  - token=t${i}\n`;
  write(root, 'envs/staging/kustomization.yaml', env);

  let top = 'resources:\n- ../staging\nnameSuffix: -eu\nreplicas:\n- name: team-app3\n  count: 9\npatches:\n';
  for (let i = 0; i < 10; i++) top += smp(i * 13 + 1).replace(`name: app${i * 13 + 1}`, `name: team-app${i * 13 + 1}`);
  top += 'configMapGenerator:\n- name: shared\n  behavior: merge\n  literals:\n  - region=eu\n';
  write(root, 'envs/staging-eu/kustomization.yaml', top);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function findKustomize(): string | undefined {
  const candidates = [process.env['KUSTOMIZE']];
  try {
    candidates.push(join(execFileSync('go', ['env', 'GOPATH'], { encoding: 'utf8' }).trim(), 'bin', 'kustomize'));
  } catch {
    // no Go toolchain: fall back to PATH
  }
  candidates.push('kustomize');
  for (const c of candidates) {
    if (!c) continue;
    const r = spawnSync(c, ['version'], { encoding: 'utf8' });
    if (r.status === 0) return c;
  }
  return undefined;
}

function main(): number {
  const root = mkdtempSync(join(tmpdir(), 'sluice-bench-render-'));
  try {
    generateTree(root);
    const dir = 'envs/staging-eu';
    const fs = new DiskFs(root);
    let out = kustomizeBuild(fs, dir); // warm-up
    const docs = out.split('\n---\n').length;
    const sluice: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      out = kustomizeBuild(new DiskFs(root), dir);
      sluice.push(performance.now() - t);
    }
    const sMed = median(sluice);
    console.log(`tree: ${docs} resources rendered, overlays 3 deep, 60 patches, 17 generators (${root})`);
    console.log(`sluice   (in-process, warm, median of ${RUNS}): ${sMed.toFixed(1)} ms`);

    const tsx = join(process.cwd(), 'node_modules', '.bin', 'tsx');
    if (existsSync(tsx)) {
      const script = join(root, 'cold.ts');
      writeFileSync(
        script,
        `import { kustomizeBuild } from '${join(process.cwd(), 'src/render/kustomize/index.ts')}';\nimport { DiskFs } from '${join(process.cwd(), 'src/vfs/index.ts')}';\nprocess.stdout.write(kustomizeBuild(new DiskFs(${JSON.stringify(root)}), ${JSON.stringify(dir)}));\n`,
      );
      const t = performance.now();
      const r = spawnSync(tsx, [script], { encoding: 'utf8', maxBuffer: 1 << 30 });
      const cold = performance.now() - t;
      if (r.status === 0 && r.stdout === out)
        console.log(`sluice   (cold process: node + tsx start-up, 1 run):  ${cold.toFixed(1)} ms`);
    }

    const kustomize = findKustomize();
    if (!kustomize) {
      if (process.env['CI'] === 'true') {
        console.error(
          'FAIL: kustomize is not installed; CI must compare against it (GOFLAGS=-mod=mod go install sigs.k8s.io/kustomize/kustomize/v5@v5.8.1)',
        );
        return 1;
      }
      console.log('kustomize not found: comparison skipped');
      return 0;
    }
    const times: number[] = [];
    let expected = '';
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      const r = spawnSync(kustomize, ['build', join(root, dir)], { encoding: 'utf8', maxBuffer: 1 << 30 });
      times.push(performance.now() - t);
      if (r.status !== 0) {
        console.error(`FAIL: kustomize build failed: ${r.stderr}`);
        return 1;
      }
      expected = r.stdout;
    }
    const kMed = median(times);
    console.log(`kustomize (process wall time, median of ${RUNS}):   ${kMed.toFixed(1)} ms`);
    const ratio = sMed / kMed;
    console.log(`ratio sluice/kustomize: ${ratio.toFixed(3)} (target ≤ 0.5)`);
    if (out !== expected) {
      const a = out.split('\n');
      const b = expected.split('\n');
      const i = a.findIndex((l, j) => l !== b[j]);
      console.error(`FAIL: outputs differ at line ${i + 1}:\n  sluice:    ${a[i]}\n  kustomize: ${b[i]}`);
      return 1;
    }
    console.log(`outputs byte-identical (${out.length} bytes)`);
    if (!perProcess(root, kustomize)) return 1;
    if (ratio > 0.5) {
      console.error('FAIL: Sluice is slower than half of kustomize');
      return 1;
    }
    return 0;
  } finally {
    if (!process.env['KEEP_BENCH_TREE']) rmSync(root, { recursive: true, force: true });
  }
}

/** Small roots like the ones people keep by the hundred: one resource, or an overlay on `../base`. */
function generateRoots(root: string): string[] {
  const dirs: string[] = [];
  for (let i = 0; i < ROOTS; i++) {
    const app = `roots/app${i}`;
    write(
      root,
      `${app}/base/cm.yaml`,
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app${i}\ndata:\n  index: "${i}"\n`,
    );
    write(root, `${app}/base/kustomization.yaml`, 'resources:\n- cm.yaml\n');
    if (i % 2 === 0) {
      dirs.push(join(root, app, 'base'));
      continue;
    }
    write(
      root,
      `${app}/overlays/prod/kustomization.yaml`,
      'resources:\n- ../../base\nnamePrefix: prod-\nnamespace: prod\nlabels:\n- pairs:\n    env: prod\n',
    );
    dirs.push(join(root, app, 'overlays/prod'));
  }
  return dirs;
}

/** The compiled CLI: dist/ when built, else a build of it under .cache/ (node_modules resolve from the repo). */
function compiledCli(): string | undefined {
  const dist = join(process.cwd(), 'dist', 'cli', 'run.js');
  if (existsSync(dist)) return dist;
  const out = join(process.cwd(), '.cache', 'bench-dist');
  const built = join(out, 'cli', 'run.js');
  console.log(`compiling the CLI into ${out} (no dist/ here)…`);
  const r = spawnSync(
    process.execPath,
    [join(process.cwd(), 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json', '--outDir', out],
    { encoding: 'utf8', stdio: ['ignore', 'inherit', 'inherit'] },
  );
  return r.status === 0 && existsSync(built) ? built : undefined;
}

/** A way to run `sluice kustomize build`: the command, arguments before `kustomize build`, environment. */
interface Runner {
  label: string;
  cmd: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

/** One process per build, sluice's compiled CLI against kustomize; false when outputs differ. */
function perProcess(root: string, kustomize: string): boolean {
  const cli = compiledCli();
  if (!cli) {
    console.log('per-process comparison skipped: the CLI could not be compiled');
    return true;
  }
  // The installed command, as users run it: it starts from the engine's snapshot when the
  // build made one (dist/kustomize.blob).
  const launcher = existsSync(join(process.cwd(), 'dist', 'kustomize.blob'))
    ? join(process.cwd(), 'bin', 'sluice')
    : undefined;
  const alone: Runner = launcher
    ? { label: `the command alone (${launcher}, start-up snapshot)`, cmd: launcher, args: [], env: process.env }
    : {
        label: `the command alone (node ${cli}, no snapshot built)`,
        cmd: process.execPath,
        args: [cli],
        env: process.env,
      };
  // The target is set on real trees; the smallest roots show the floor, where a build is a
  // few milliseconds of work and the rest is starting a process (Node's against a Go binary's).
  const corpora: { what: string; dirs: string[]; target: boolean }[] = [
    {
      what: `${ROOTS} small roots (half one resource, half an overlay on ../../base): the floor`,
      dirs: generateRoots(root),
      target: false,
    },
  ];
  const realWorld = realWorldRoots();
  if (realWorld.length)
    corpora.push({ what: `${realWorld.length} roots of the real-world corpus`, dirs: realWorld, target: true });
  else console.log('(no real-world corpus cached: run the kustomize-realworld suite once to add it here)');
  const server = launcher ? startServer(launcher, root) : undefined;
  let met = true;
  try {
    for (const { what, dirs, target } of corpora) {
      console.log(`\none process per build, ${what}:`);
      for (const runner of server ? [alone, server.runner] : [alone]) {
        const ratio = compare(runner, dirs, kustomize, target);
        if (ratio === undefined) return false;
        if (target && runner === alone && ratio > 1) met = false;
      }
    }
  } finally {
    server?.stop();
  }
  if (!met) {
    console.error('FAIL: one process per build, the command alone is slower than kustomize on the real-world corpus');
    return false;
  }
  const bare = timed(process.execPath, ['-e', '0'], root, process.env).ms;
  console.log(`\nfor scale: an empty node process here takes ${bare.toFixed(0)} ms`);
  if (process.env['NODE_EXTRA_CA_CERTS']) {
    const env = { ...process.env };
    delete env['NODE_EXTRA_CA_CERTS'];
    const without = timed(process.execPath, ['-e', '0'], root, env).ms;
    console.log(`(${without.toFixed(0)} ms without NODE_EXTRA_CA_CERTS, which a build goes without)`);
  }
  return true;
}

function timed(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv) {
  const t = performance.now();
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env, maxBuffer: 1 << 30 });
  return { ms: performance.now() - t, out: r.stdout, ok: r.status === 0, err: r.stderr };
}

/**
 * Builds every root with sluice and with kustomize, interleaved so both see the same load;
 * the ratio of their total times, or undefined when an output differs or a build fails.
 */
function compare(runner: Runner, dirs: string[], kustomize: string, target: boolean): number | undefined {
  const s: number[] = [];
  const k: number[] = [];
  for (const dir of dirs) {
    const a = timed(runner.cmd, [...runner.args, 'kustomize', 'build', '.'], dir, runner.env);
    const b = timed(kustomize, ['build', '.'], dir, process.env);
    if (!a.ok || !b.ok || a.out !== b.out) {
      console.error(`FAIL: per-process build of ${dir} differs or failed:\n${a.err}${b.err}`);
      return undefined;
    }
    s.push(a.ms);
    k.push(b.ms);
  }
  const sum = (xs: number[]) => xs.reduce((x, y) => x + y, 0);
  console.log(`  ${runner.label}:`);
  console.log(
    `    sluice kustomize build ${(sum(s) / 1000).toFixed(2)} s, median ${median(s).toFixed(0)} ms per build (target ≤ 200 ms); ` +
      `kustomize build ${(sum(k) / 1000).toFixed(2)} s, median ${median(k).toFixed(0)} ms`,
  );
  const ratio = sum(s) / sum(k);
  console.log(`    per-process ratio sluice/kustomize: ${ratio.toFixed(2)}${target ? ' (target ≤ 1.0)' : ''}`);
  return ratio;
}

/**
 * `sluice kustomize server`, as a script that builds many directories starts it: each build is
 * still its own `sluice kustomize build` process, answered by the running engine.
 */
function startServer(launcher: string, root: string): { runner: Runner; stop(): void } | undefined {
  const started = spawnSync(launcher, ['kustomize', 'server', '--detach', '--idle', '0'], { encoding: 'utf8' });
  const m = /^SLUICE_KUSTOMIZE_SERVER=(\S+);[\s\S]*pid (\d+)/.exec(started.stdout);
  if (started.status !== 0 || !m) {
    console.log(`(sluice kustomize server did not start, so it is not measured: ${started.stderr.trim()})`);
    return undefined;
  }
  // Nothing on PATH but curl: a build the server did not answer fails here instead of being
  // measured as the command building by itself.
  const curlOnly = join(root, 'curl-only');
  mkdirSync(curlOnly, { recursive: true });
  const curl = spawnSync('sh', ['-c', 'command -v curl'], { encoding: 'utf8' }).stdout.trim();
  if (!curl) {
    console.log('(curl is not installed, so `sluice kustomize server` is not measured)');
    process.kill(Number(m[2]), 'SIGTERM');
    return undefined;
  }
  symlinkSync(curl, join(curlOnly, 'curl'));
  return {
    runner: {
      label: 'with `sluice kustomize server` running',
      cmd: launcher,
      args: [],
      env: { ...process.env, SLUICE_KUSTOMIZE_SERVER: m[1]!, PATH: curlOnly },
    },
    stop: () => process.kill(Number(m[2]), 'SIGTERM'),
  };
}

/** The roots the kustomize-realworld suite extracted and kustomize builds, when its cache is here. */
function realWorldRoots(): string[] {
  const cache = process.env['SLUICE_CACHE'] ?? join(process.env['HOME'] ?? '', '.cache', 'sluice');
  const base = join(cache, 'kustomize-realworld', 'v5.8.1');
  if (!existsSync(base)) return [];
  const dirs: string[] = [];
  for (const repo of readdirSync(base).sort()) {
    const manifest = join(base, repo, 'manifest.json');
    if (!existsSync(manifest)) continue;
    const m = JSON.parse(readFileSync(manifest, 'utf8')) as { roots: { dir: string; expect: string }[] };
    for (const r of m.roots) if (r.expect === 'output') dirs.push(join(base, repo, 'tree', r.dir));
  }
  return dirs;
}

process.exit(main());
