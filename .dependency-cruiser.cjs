// Which part may import which. docs/architecture.md explains the same table in prose;
// change both together.
const layers = {
  errors: [],
  model: ['errors'],
  vfs: ['errors'],
  plan: ['errors', 'model'],
  providers: ['errors', 'model', 'plan'],
  config: ['errors', 'model', 'providers'],
  source: ['errors', 'vfs', 'model'],
  secrets: ['errors', 'model', 'vfs', 'config'],
  render: ['errors', 'model', 'vfs', 'config', 'secrets'],
  policy: ['errors', 'model', 'config', 'secrets', 'providers'],
  desired: ['errors', 'model', 'vfs', 'config', 'secrets', 'render', 'policy', 'providers'],
  store: ['errors', 'model', 'plan'],
  hosted: ['errors'],
  notify: ['errors', 'config', 'store'],
  metrics: ['errors', 'model', 'config'],
  promote: [
    'errors',
    'model',
    'vfs',
    'config',
    'source',
    'render',
    'store',
    'plan',
    'hosted',
    'notify',
    'reconcile',
    'providers',
    'desired',
    'metrics',
  ],
  reconcile: [
    'errors',
    'model',
    'vfs',
    'config',
    'source',
    'render',
    'policy',
    'secrets',
    'providers',
    'plan',
    'store',
    'notify',
    'desired',
    'metrics',
  ],
  server: ['errors', 'model', 'config', 'reconcile', 'store', 'plan', 'promote', 'source'],
  scaffold: ['errors', 'config'],
  cli: null, // the outermost edge may use every part
};

const forbidden = [
  {
    name: 'no-circular',
    severity: 'error',
    comment: 'Import cycles hide a missing part.',
    from: {},
    to: { circular: true },
  },
  {
    name: 'no-orphans',
    severity: 'warn',
    from: { orphan: true, pathNot: ['\\.test\\.ts$', '\\.d\\.ts$', '(^|/)index\\.ts$'] },
    to: {},
  },
];
for (const [part, allowed] of Object.entries(layers)) {
  if (allowed === null) continue;
  const ok = [part, ...allowed].join('|');
  forbidden.push({
    name: `layer-${part}`,
    severity: 'error',
    comment: `src/${part} may import only: ${allowed.join(', ') || '(nothing else in src)'}`,
    from: { path: `^src/${part}/`, pathNot: '\\.test\\.ts$' },
    to: { path: '^src/', pathNot: `^src/(${ok})/` },
  });
}

module.exports = {
  forbidden,
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '(^dist/|\\.test\\.ts$)' },
  },
};
