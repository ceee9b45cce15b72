// The dependency rules of the design guide (/work/shared/ARCHITECTURE.md, README "Architecture"),
// checked by `npm run lint:deps` in CI. A rule here is a rule of the design: change both together.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'Modules call each other through public use cases; no import cycles (guide rule 14).',
      from: {},
      to: { circular: true },
    },
    {
      name: 'domain-knows-no-slack',
      severity: 'error',
      comment: 'Use cases and connectors know no Slack, Bolt or BullMQ; the Slack layer and the worker call them (guide rules 2 and 15).',
      from: { path: '^src/(modules|provisioners)/' },
      to: { path: ['^node_modules/(@slack/|bullmq/)', '^src/(slack|worker)/'] },
    },
    {
      name: 'listeners-use-no-repositories',
      severity: 'error',
      comment: 'A listener parses, calls one use case and renders; SQL is reached only through use cases (guide rules 1, 5 and 16).',
      from: { path: '^src/slack/listeners/' },
      to: { path: '\\.repository\\.ts$' },
    },
    {
      name: 'base-imports-no-feature',
      severity: 'error',
      comment:
        'The base (shared, config, catalog) is below every feature. The one exception is the drizzle schema barrel, ' +
        'src/shared/db/schema.ts, which gathers the modules\u2019 *.table.ts files for drizzle.',
      from: { path: '^src/(shared|config|catalog)/', pathNot: '^src/shared/db/schema\\.ts$' },
      to: { path: '^src/(modules|provisioners|slack|worker|sandbox|cli)/|^src/(bot|main|startup\\.checks)\\.ts$' },
    },
    {
      name: 'schema-barrel-holds-tables-only',
      severity: 'error',
      comment: 'The schema barrel may reach into modules for their table definitions, nothing else.',
      from: { path: '^src/shared/db/schema\\.ts$' },
      to: { path: '^src/', pathNot: ['\\.table\\.ts$', '^src/shared/'] },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that does not resolve is a typo or a missing dependency.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|data)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
