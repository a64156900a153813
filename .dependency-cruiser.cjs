/**
 * The dependency rules of the monorepo (run by `npm test` through `npm run lint:deps`).
 * Dependencies point one way: apps -> contexts -> platform; read models -> platform and contexts'
 * domain; a context's domain -> the domain kernel only. Change a rule here, on purpose, never around it.
 */
const PLATFORM = '(auth|commands|config|event-store|http|keys|postgres|providers|read-model-engine)';
const CONTEXTS = '(customers|sales|marketing|service|lead-capture|follow-ups|webhooks|audit)';
// What a process is made of: every context's events (event-catalog) and every library's migrations
// and the process wiring (runtime). They may import any library; only apps, tests and benchmarks import runtime.
const COMPOSITION = '(event-catalog|runtime)';
const TESTS = '\\.(spec|int-spec|e2e-spec)\\.ts$';

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'Import cycles make module initialisation order matter (and break ESM at load time).',
      from: {},
      to: { circular: true },
    },
    {
      name: 'domain-imports-kernel-only',
      severity: 'error',
      comment: "A context's domain (commands, events, decide/evolve) is pure: it imports its own domain and the domain kernel, nothing else.",
      from: { path: '^libs/([^/]+)/src/domain/', pathNot: TESTS },
      to: { pathNot: ['^libs/$1/src/domain/', '^libs/domain/src/'] },
    },
    {
      name: 'kernel-is-pure',
      severity: 'error',
      comment: 'The domain kernel (decider, errors, validation, the text rule) imports nothing but itself.',
      from: { path: '^libs/domain/src/', pathNot: TESTS },
      to: { pathNot: '^libs/domain/src/' },
    },
    {
      name: 'libs-import-no-read-models-or-apps',
      severity: 'error',
      comment: 'Libraries are below read models and apps: nothing in libs imports projections/ or apps/.',
      from: { path: '^libs/' },
      to: { path: ['^projections/', '^apps/'] },
    },
    {
      name: 'platform-knows-no-context',
      severity: 'error',
      comment: 'Platform libraries know no domain: no context, no composition.',
      from: { path: `^libs/${PLATFORM}/`, pathNot: TESTS },
      to: { path: [`^libs/${CONTEXTS}/`, `^libs/${COMPOSITION}/`] },
    },
    {
      name: 'runtime-is-for-processes',
      severity: 'error',
      comment: 'The process wiring (migrations of every library, the event store with every context\'s schema) is for apps, tests and benchmarks.',
      from: { path: '^(libs|projections)/', pathNot: ['^libs/runtime/', TESTS] },
      to: { path: '^libs/runtime/' },
    },
    {
      name: 'testing-uses-domain-not-modules',
      severity: 'error',
      comment: "Test helpers may build contexts' events (their domain), never reach their modules, read models or apps.",
      from: { path: '^libs/testing/' },
      to: { path: [`^libs/${CONTEXTS}/src/`, '^projections/', '^apps/'], pathNot: `^libs/${CONTEXTS}/src/domain/` },
    },
    {
      name: 'no-app-imports-another-app',
      severity: 'error',
      comment: 'Apps only assemble modules; apps/main.ts, the all-in-one process, is the one place that runs several together.',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'read-models-import-domain-not-modules',
      severity: 'error',
      comment: "A read model depends on contexts' domain events, never on their modules, handlers or controllers.",
      from: { path: '^projections/', pathNot: TESTS },
      to: { path: `^libs/${CONTEXTS}/src/`, pathNot: `^libs/${CONTEXTS}/src/domain/` },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['development', 'import', 'require', 'node', 'default'],
      extensions: ['.ts', '.js'],
    },
  },
};
