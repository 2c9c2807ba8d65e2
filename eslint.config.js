// ESLint 9 flat config: ESLint's and typescript-eslint's recommended rules for the whole repository,
// then the architecture boundaries of src/ (docs/architecture.md).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// ---------------------------------------------------------------------------------------------
// Architecture boundaries of src/ (docs/architecture.md, "What each layer may import").
//
// Layers run one way: entry points (main, cli, hub, sandbox) → http/api → linking/sync/tenancy →
// connections → providers/store/events/jobs/security → domain; config.ts and logger.ts serve every
// layer but domain. Every zone below gets ONE `no-restricted-imports` entry (flat config does not
// merge rule options, so a later block for the same files would replace it): its own layer bans plus
// the package bans that apply to it. Relative imports are matched by the directory they climb to
// (`../../providers/…`); no subfolder of src/ reuses a layer's name where that could mislead the match.
// ---------------------------------------------------------------------------------------------

const ARCHITECTURE = 'see docs/architecture.md';

/** A relative import that climbs into one of `dirs` (top-level folders of src/). */
const into = (dirs, why) => ({ regex: `^(\\.\\./)+(${dirs.join('|')})(/|$)`, message: `${why} (${ARCHITECTURE}).` });
/** A relative import of one of src/'s entry files (hub.ts, main.ts, cli.ts). */
const ENTRY_FILES = { regex: '^(\\.\\./)+(hub|main|cli)\\.js$', message: `Only entry points import the composition root and the entry files (${ARCHITECTURE}).` };

const ABOVE_SERVICES = ['api', 'http', 'sandbox'];
const SERVICES = ['linking', 'sync', 'tenancy', 'push', 'webhooks', 'ics', 'availability'];
const INFRASTRUCTURE = ['providers', 'store', 'events', 'jobs', 'security'];

/** What a layer must not import, by the folders above (or beside) it. */
const upward = {
  infrastructure: (self) => [
    into([...ABOVE_SERVICES, ...SERVICES, 'connections'], `src/${self}/ sits below connections, services, the API and HTTP: it must not import them`),
    into(
      INFRASTRUCTURE.filter((layer) => layer !== self),
      `src/${self}/ is one of the infrastructure layers (providers, store, events, jobs, security), which do not import each other; share through src/domain/ or wire them in src/hub.ts`,
    ),
    ENTRY_FILES,
  ],
  connections: [into([...ABOVE_SERVICES, ...SERVICES], 'src/connections/ (link health) sits below linking, sync and tenancy: they call it, never the other way'), ENTRY_FILES],
  tenancy: [into([...ABOVE_SERVICES, 'linking', 'sync', 'push', 'webhooks', 'ics', 'availability'], 'src/tenancy/ does not depend on linking or sync, and services never import the API or HTTP; publish through the EventPublisher of src/events/'), ENTRY_FILES],
  sync: [into([...ABOVE_SERVICES, 'linking', 'push', 'webhooks', 'ics', 'availability'], 'src/sync/ must not import linking, push, webhooks, ics or availability (they call sync), nor the API or HTTP; publish through the EventPublisher of src/events/'), ENTRY_FILES],
  push: [into([...ABOVE_SERVICES, 'linking', 'webhooks'], 'src/push/ (push notifications in) builds on sync and connections, never on linking, webhooks, the API or HTTP'), ENTRY_FILES],
  webhooks: [into([...ABOVE_SERVICES, 'linking', 'push'], 'src/webhooks/ (webhooks out) builds on sync, tenancy and events, never on linking, push, the API or HTTP'), ENTRY_FILES],
  linking: [into(ABOVE_SERVICES, 'Services never import the API or HTTP; publish through the EventPublisher of src/events/'), ENTRY_FILES],
  // Features built on sync and tenancy (ICS feeds, availability); sync and tenancy never import them.
  feature: (self) => [
    into([...ABOVE_SERVICES, 'linking', 'push', 'webhooks', ...['ics', 'availability'].filter((f) => f !== self)], `src/${self}/ builds on sync and tenancy only; it imports neither linking, the other features, the API nor HTTP`),
    ENTRY_FILES,
  ],
  api: [into(['http', 'sandbox'], 'src/api/ (resolvers) must not import the HTTP server or the sandbox'), ENTRY_FILES],
  http: [into(['sandbox'], 'src/http/ gets the sandbox through src/hub.ts'), ENTRY_FILES],
};

/** Packages that only some zones may import. `typesOnly`: zones that may import their types and nothing else. */
const PACKAGE_RULES = [
  {
    regex: '^(@azure/msal-node|@azure/msal-common|@microsoft/microsoft-graph-client)(/|$)',
    allowedIn: ['providers/microsoft-graph'],
    message: 'Microsoft SDKs are imported only under src/providers/microsoft-graph/; speak the CalendarProvider / ProviderAuth ports elsewhere',
  },
  {
    regex: '^(@googleapis/|googleapis(-common)?$|google-auth-library|gaxios)',
    allowedIn: ['providers/google-calendar'],
    message: 'Google SDKs are imported only under src/providers/google-calendar/; speak the CalendarProvider / ProviderAuth ports elsewhere',
  },
  {
    regex: '^@mikro-orm/(?!core$)',
    allowedIn: ['store'],
    message: 'MikroORM drivers are imported only under src/store/ (orm.ts picks the driver)',
  },
  {
    regex: '^@mikro-orm/core$',
    allowedIn: ['store', 'connections', 'tenancy', 'sync', 'linking', 'push', 'webhooks', 'ics', 'availability', 'api', 'http', 'entry'],
    message: 'Providers, events, jobs and security do not touch the store: ports and payloads speak domain types',
  },
  {
    regex: '^libsql$',
    allowedIn: ['store', 'jobs/backends'],
    message: 'The SQLite driver is opened only by src/store/ and by the SQLite job backend (src/jobs/backends/, its own connection to the same file)',
  },
  {
    regex: '^mongodb$',
    allowedIn: ['store'],
    typesOnly: ['events', 'jobs', 'entry'],
    message: "The MongoDB driver's connection belongs to src/store/ (MikroORM's); the event transport and the job scheduler only take its `Db` type (import type)",
  },
  {
    regex: '^(@agendajs/|agenda$)',
    allowedIn: ['jobs', 'jobs/backends', 'entry'],
    typesOnly: ['connections', 'linking', 'sync', 'push', 'webhooks'],
    message: 'Agenda is set up in src/jobs/; features define jobs with defineJob and schedule them through the types only',
  },
  {
    regex: '^@calendar-sync-hub/emulators(/|$)',
    allowedIn: ['entry'],
    message: 'The provider emulators are a separate program: in src/ only the sandbox (src/sandbox/) and the entry points start them',
  },
  {
    regex: '^(fastify|@fastify/|@apollo/|@as-integrations/|graphql-ws|ws$|graphql$|graphql-scalars|graphql-query-complexity|type-graphql)',
    allowedIn: ['api', 'http', 'entry'],
    typesOnly: ['events'],
    message: 'HTTP and GraphQL libraries belong to src/http/ and src/api/; services and lower layers stay transport-free',
  },
];

function packageBans(zone) {
  return PACKAGE_RULES.filter((rule) => !rule.allowedIn.includes(zone)).map((rule) => ({
    regex: rule.regex,
    message: `${rule.message} (${ARCHITECTURE}).`,
    ...(rule.typesOnly?.includes(zone) ? { allowTypeImports: true } : {}),
  }));
}

/**
 * src/domain/ imports nothing with side effects and nothing outside itself: only pure libraries —
 * luxon (date maths), node:crypto (ids, content hashes), html-to-text (the readable text of a body),
 * sanitize-html, htmlparser2 and domhandler (HTML bodies: sanitising, finding the record link).
 */
const DOMAIN_ONLY = {
  regex: '^(?!\\.{1,2}/|luxon$|node:crypto$|html-to-text$|sanitize-html$|htmlparser2$|domhandler$)',
  message: `src/domain/ is pure: it imports only src/domain/ and the pure libraries luxon, node:crypto, html-to-text, sanitize-html, htmlparser2 and domhandler (${ARCHITECTURE}).`,
};

/** One flat-config block per zone, each with its complete list of restricted import patterns. */
const zone = (name, files, patterns) => ({
  name: `architecture/${name}`,
  files,
  rules: { 'no-restricted-imports': ['error', { patterns }] },
});

const architecture = [
  zone('domain', ['src/domain/*.ts'], [DOMAIN_ONLY, { regex: '^\\.\\./', message: `src/domain/ imports nothing outside itself (${ARCHITECTURE}).` }]),
  zone('domain', ['src/domain/*/**/*.ts'], [DOMAIN_ONLY, { regex: '^\\.\\./\\.\\./', message: `src/domain/ imports nothing outside itself (${ARCHITECTURE}).` }]),
  zone('config-and-logger', ['src/config.ts', 'src/logger.ts'], [
    { regex: '^\\./(?!config\\.js$|logger\\.js$)', message: `config.ts and logger.ts serve every layer and import none (${ARCHITECTURE}).` },
    ...packageBans('base'),
  ]),
  zone('providers', ['src/providers/*.ts'], [...upward.infrastructure('providers'), ...packageBans('providers')]),
  zone('providers/microsoft-graph', ['src/providers/microsoft-graph/**/*.ts'], [...upward.infrastructure('providers'), ...packageBans('providers/microsoft-graph')]),
  zone('providers/google-calendar', ['src/providers/google-calendar/**/*.ts'], [...upward.infrastructure('providers'), ...packageBans('providers/google-calendar')]),
  zone('store', ['src/store/**/*.ts'], [...upward.infrastructure('store'), ...packageBans('store')]),
  zone('events', ['src/events/**/*.ts'], [...upward.infrastructure('events'), ...packageBans('events')]),
  zone('jobs', ['src/jobs/*.ts'], [...upward.infrastructure('jobs'), ...packageBans('jobs')]),
  zone('jobs/backends', ['src/jobs/backends/**/*.ts'], [...upward.infrastructure('jobs'), ...packageBans('jobs/backends')]),
  zone('security', ['src/security/**/*.ts'], [...upward.infrastructure('security'), ...packageBans('security')]),
  zone('connections', ['src/connections/**/*.ts'], [...upward.connections, ...packageBans('connections')]),
  zone('tenancy', ['src/tenancy/**/*.ts'], [...upward.tenancy, ...packageBans('tenancy')]),
  zone('sync', ['src/sync/**/*.ts'], [...upward.sync, ...packageBans('sync')]),
  zone('linking', ['src/linking/**/*.ts'], [...upward.linking, ...packageBans('linking')]),
  zone('push', ['src/push/**/*.ts'], [...upward.push, ...packageBans('push')]),
  zone('webhooks', ['src/webhooks/**/*.ts'], [...upward.webhooks, ...packageBans('webhooks')]),
  zone('ics', ['src/ics/**/*.ts'], [...upward.feature('ics'), ...packageBans('ics')]),
  zone('availability', ['src/availability/**/*.ts'], [...upward.feature('availability'), ...packageBans('availability')]),
  zone('api', ['src/api/**/*.ts'], [...upward.api, ...packageBans('api')]),
  zone('http', ['src/http/**/*.ts'], [...upward.http, ...packageBans('http')]),
  zone('entry', ['src/hub.ts', 'src/main.ts', 'src/cli.ts', 'src/sandbox/**/*.ts'], packageBans('entry')),
];

export default tseslint.config(
  {
    ignores: ['node_modules/', 'dist/', 'data/', 'reports/', 'coverage/', 'scratch/', 'test/graphql/generated.ts'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { ...globals.node },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      'no-console': ['error', { allow: ['warn', 'error'] }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  {
    // Entry points and scripts talk to the terminal directly.
    files: ['scripts/**', 'bench/**', '.ci/**'],
    rules: { 'no-console': 'off' },
  },
  {
    // The admin console runs in the browser (a plain ES module, served as written).
    files: ['console/**/*.js'],
    languageOptions: { globals: { ...globals.browser } },
  },

  // ── Boundary: the emulators package ─────────────────────────────────────────────────────────
  // packages/emulators imports nothing of the hub (src/, test/, …): no relative import may climb
  // out of the package. In a file `depth` folders below packages/emulators/, `depth + 1` leading
  // `../` reach packages/. One block per depth; the last one also takes every deeper file.
  { ignores: ['packages/*/dist/'] },
  ...Array.from({ length: 9 }, (_, depth) => ({
    files: [`packages/emulators/${'*/'.repeat(depth)}${depth < 8 ? '*' : '**'}`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: `^(\\.\\.(/|$)){${depth + 1}}`,
              message: 'The emulators package imports nothing from the hub (src/, test/, …): move what it needs into packages/emulators or use a dependency.',
            },
          ],
        },
      ],
    },
  })),
  ...architecture,
);
