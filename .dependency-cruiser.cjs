/**
 * The dependency rule of the layout (issue 16 item 4) as a machine check: dependencies point
 * inward, only the composition roots (src/main.ts, scripts/) wire infrastructure together, and no
 * module takes part in a cycle. Type-only imports count (tsPreCompilationDeps): a port that
 * imports a db type is coupled to it even if the import vanishes from the emitted JavaScript.
 *
 * Every layer gets an allow-list of the layers it may reach ("to.pathNot"), so a new upward edge
 * fails without anyone having to foresee it. tests/ are not cruised: tests may reach any layer.
 * `npm run lint` runs this; tests/unit/dependency-rule.test.ts proves that it fails on a
 * planted upward import (tests/fixtures/dependency-rule/).
 */

/** Matches a path whether the cruise starts at the repository root or at a fixture mirroring it. */
const at = (relative) => `(^|/)${relative}`;
const layer = {
  domain: at('src/domain/'),
  ports: at('src/ports/'),
  usecases: at('src/usecases/'),
  http: at('src/http/'),
  jobs: at('src/jobs/'),
  db: at('src/db/'),
  model: at('src/model/'),
  security: at('src/security/'),
  console: at('src/console/'),
  demo: at('src/demo/'),
  adapters: at('adapters/'),
  main: at('src/main[.]ts$'),
  scripts: at('scripts/'),
  config: at('src/config[.]ts$'),
  logger: at('src/logger[.]ts$'),
  metrics: at('src/metrics[.]ts$'),
  paths: at('src/paths[.]ts$'),
  deadline: at('src/deadline[.]ts$'),
};
const anyOf = (...names) => names.map((name) => layer[name]).join('|');
/** Our own modules (not npm packages, not node built-ins). */
const local = { dependencyTypesNot: ['core', 'npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-bundled', 'npm-no-pkg', 'npm-unknown'] };

/** `from` may import only the listed layers of ours (npm packages and node built-ins are ruled on separately). */
const onlyImports = (name, comment, from, allowed) => ({
  name,
  comment,
  severity: 'error',
  from: { path: layer[from] },
  to: { ...local, pathNot: anyOf(from, ...allowed) },
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'A cycle makes two modules one: neither can be understood, tested or moved alone (issue 16 named the api-client/token-cache one).',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    onlyImports('domain-imports-nothing', 'src/domain is pure types and rules: it imports nothing else of ours.', 'domain', []),
    onlyImports('ports-import-domain', 'src/ports are interfaces over domain types only.', 'ports', ['domain']),
    onlyImports('usecases-import-ports-and-domain', 'Use cases reach the world through ports; the implementations are wired in by src/main.ts.', 'usecases', ['ports', 'domain']),
    onlyImports('db-implements-ports', 'src/db implements ports; it never reaches another implementation, http or the use cases.', 'db', ['ports', 'domain']),
    onlyImports('model-implements-ports', 'src/model implements ports; it never reaches another implementation, http or the use cases.', 'model', ['ports', 'domain']),
    onlyImports('security-implements-ports', 'src/security implements ports (the password hasher).', 'security', ['ports', 'domain']),
    {
      name: 'adapters-implement-ports',
      comment: 'An adapter may import src/domain, src/ports and its own folder: never another adapter, src/db, src/http or src/jobs.',
      severity: 'error',
      from: { path: `${layer.adapters}([^/]+)/` },
      to: { ...local, pathNot: `${layer.adapters}$2/|${anyOf('domain', 'ports')}` },
    },
    onlyImports('http-calls-usecases', 'src/http calls use cases; it never imports src/db, src/jobs, src/model or adapters/.', 'http', ['usecases', 'ports', 'domain', 'metrics', 'paths']),
    onlyImports('jobs-call-usecases', 'src/jobs are thin shells that call one use case each.', 'jobs', ['usecases', 'ports', 'domain', 'metrics', 'deadline']),
    onlyImports('demo-seeds-through-usecases', 'The demo seed goes through the use cases, as an admin would.', 'demo', ['usecases', 'ports', 'domain', 'paths']),
    onlyImports('console-is-browser-code', 'src/console is bundled for the browser by Vite: server modules must not leak into it.', 'console', []),
    onlyImports('config-reads-env-only', 'src/config.ts reads the environment; it depends on domain rules at most.', 'config', ['domain']),
    onlyImports('metrics-import-ports-and-domain', 'src/metrics.ts wraps ports with counters; it wires nothing.', 'metrics', ['ports', 'domain']),
    onlyImports('logger-is-a-leaf', 'src/logger.ts creates the logger and needs nothing of ours.', 'logger', []),
    onlyImports('paths-is-a-leaf', 'src/paths.ts finds the project root.', 'paths', []),
    onlyImports('deadline-is-a-leaf', 'src/deadline.ts is a bounded wait.', 'deadline', []),
    {
      name: 'only-roots-wire',
      comment: 'Nothing imports a composition root: src/main.ts and scripts/ are where the layers meet.',
      severity: 'error',
      from: {},
      to: { ...local, path: anyOf('main', 'scripts') },
    },
    {
      name: 'unknown-place',
      comment: 'A module outside every layer named here: give it a layer (and a rule) before it imports anything of ours.',
      severity: 'error',
      from: { pathNot: Object.values(layer).join('|') },
      to: { ...local },
    },
    {
      name: 'one-module-imports-pg',
      comment: 'Only src/db talks to PostgreSQL / PGlite.',
      severity: 'error',
      from: { pathNot: layer.db },
      to: { path: '(^|/)node_modules/(pg|pg-pool|@electric-sql/pglite)/' },
    },
    {
      name: 'queue-stays-in-jobs',
      comment: 'BullMQ and Redis stay behind the JobQueue / EventBus ports in src/jobs.',
      severity: 'error',
      from: { pathNot: anyOf('jobs', 'main', 'scripts') },
      to: { path: '(^|/)node_modules/(bullmq|ioredis)/' },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that does not resolve is a typo or a missing package.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^dist/' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json'],
      mainFields: ['module', 'main', 'types'],
    },
  },
};
