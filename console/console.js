// The hub's admin console: a plain ES module with no build step. It uses only the public GraphQL
// API — queries and mutations over HTTP, subscriptions over graphql-ws — so it doubles as an
// example client. The API key lives in sessionStorage only (gone when the tab closes).
import { createClient } from '/console/vendor/graphql-ws/client.js';

const KEY_STORAGE = 'calendar-sync-hub.console.apiKey';
const TENANT_STORAGE = 'calendar-sync-hub.console.tenantId';
const RECENT_RUNS = 15;

const LINK_FIELDS = `id userId provider accountEmail status statusReason twoWay syncState deletionsHeld lastSyncAt nextSyncAt lastError { code message at }`;
const RUN_FIELDS = `id connectionId trigger outcome startedAt finishedAt durationMs providerRequests
  counts { inbound { created updated deleted conflicts errors } outbound { created updated deleted conflicts errors } }
  error { code message }`;
const CONFLICT_FIELDS = `id connectionId kind policy status reason createdAt appointment { id subject hostAppointmentId }`;
const ISSUE_FIELDS = `id code message tip connectionId resolvedAt`;

const app = document.getElementById('app');
const state = {
  key: sessionStorage.getItem(KEY_STORAGE),
  viewer: null,
  tenantId: null,
  tenants: [],
  users: [],
  links: new Map(),
  runs: new Map(),
  conflicts: new Map(),
  /** Open sync issues by id; null: the hub has no syncIssues query (it arrives with the recurrence work). */
  issues: null,
  relink: new Map(),
  confirmRevoke: null,
  notice: null,
  ws: null,
};

/** A DOM element; props starting with `on` are listeners, the rest properties. Children are nodes or text. */
function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) el.addEventListener(name.slice(2).toLowerCase(), value);
    else if (name === 'class') el.className = value;
    else if (name.startsWith('data-') || name === 'for' || name === 'aria-label') el.setAttribute(name, value);
    else el[name] = value;
  }
  for (const child of children.flat()) if (child !== null && child !== undefined && child !== false) el.append(child instanceof Node ? child : String(child));
  return el;
}

class ApiError extends Error {
  constructor(errors) {
    super(errors.map((e) => e.message).join('; '));
    this.code = errors[0]?.extensions?.code ?? 'ERROR';
    this.tip = errors[0]?.extensions?.tip ?? null;
  }
}

async function gql(query, variables = {}) {
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${state.key}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json().catch(() => ({ errors: [{ message: `The hub answered ${response.status}` }] }));
  if (body.errors?.length) throw new ApiError(body.errors);
  return body.data;
}

const when = (iso) => (iso ? h('time', { dateTime: iso, title: iso }, new Date(iso).toLocaleString()) : h('span', { class: 'muted' }, '—'));
const userLabel = (u) => (u ? u.name || u.email || u.hostUserId : '');
const userCell = (u) => h('td', {}, userLabel(u), h('div', { class: 'muted small' }, `host id ${u.hostUserId}`));
const providerLabel = (p) => (p === 'MICROSOFT' ? 'Microsoft 365' : p === 'GOOGLE' ? 'Google' : p);

function say(text, kind = 'info', tip = null) {
  state.notice = { text, kind, tip };
  render();
}

async function act(label, work) {
  try {
    await work();
  } catch (err) {
    if (err instanceof ApiError && (err.code === 'UNAUTHENTICATED' || err.code === 'FORBIDDEN') && label === 'load') return signOut(err.message);
    say(`${label}: ${err.message}`, 'error', err.tip ?? null);
  }
}

// ------------------------------------------------------------------------------------------------
// Sign in and out

function renderSignIn(message) {
  document.getElementById('sign-out').hidden = true;
  document.getElementById('live').hidden = true;
  document.getElementById('tenant').textContent = '';
  const input = h('input', { id: 'api-key', type: 'password', autocomplete: 'off', spellcheck: false, required: true });
  const form = h(
    'form',
    {
      class: 'signin',
      onSubmit: async (event) => {
        event.preventDefault();
        state.key = input.value.trim();
        try {
          state.viewer = (await gql('query { viewer { role tenantId } }')).viewer;
        } catch (err) {
          state.key = null;
          return renderSignIn(`That key was not accepted: ${err.message}`);
        }
        sessionStorage.setItem(KEY_STORAGE, state.key);
        await act('load', enter);
      },
    },
    h('label', { for: 'api-key' }, 'API key'),
    input,
    h('button', { type: 'submit', class: 'primary' }, 'Sign in'),
    h('p', { class: 'muted small' }, 'The key stays in this browser tab (session storage) and is sent only to this hub.'),
    message ? h('p', { class: 'notice error', role: 'alert' }, message) : null,
  );
  app.replaceChildren(h('section', {}, h('h2', {}, 'Sign in'), form));
  input.focus();
}

function signOut(message) {
  state.ws?.dispose();
  state.ws = null;
  sessionStorage.removeItem(KEY_STORAGE);
  Object.assign(state, { key: null, viewer: null, tenantId: null, notice: null });
  renderSignIn(message);
}

document.getElementById('sign-out').addEventListener('click', () => signOut());

// ------------------------------------------------------------------------------------------------
// Loading

async function enter() {
  state.viewer ??= (await gql('query { viewer { role tenantId } }')).viewer;
  if (state.viewer.role === 'ADMIN') {
    // Admin keys act on every tenant: the console shows one at a time.
    state.tenants = (await gql('query { tenants(first: 100) { edges { node { id name } } } }')).tenants.edges.map((e) => e.node);
    const stored = sessionStorage.getItem(TENANT_STORAGE);
    state.tenantId = state.tenants.some((t) => t.id === stored) ? stored : (state.tenants[0]?.id ?? null);
  } else {
    state.tenantId = state.viewer.tenantId;
    state.tenants = [(await gql('query($id: ID!) { tenant(id: $id) { id name } }', { id: state.tenantId })).tenant];
  }
  document.getElementById('sign-out').hidden = false;
  await loadTenant();
}

async function loadTenant() {
  const tenantId = state.tenantId;
  if (tenantId) sessionStorage.setItem(TENANT_STORAGE, tenantId);
  state.links.clear();
  state.runs.clear();
  state.conflicts.clear();
  state.relink.clear();
  if (!tenantId) {
    state.users = [];
    return render();
  }
  // One request per list keeps each under the hub's complexity limit (GRAPHQL_MAX_COMPLEXITY).
  const [users, links, runs, conflicts] = await Promise.all([
    gql('query($t: ID) { hostUsers(tenantId: $t, first: 100) { edges { node { id hostUserId name email active } } } }', { t: tenantId }),
    gql(`query($t: ID) { connections(tenantId: $t, first: 100) { edges { node { ${LINK_FIELDS} } } } }`, { t: tenantId }),
    gql(`query($t: ID) { syncRuns(tenantId: $t, first: ${RECENT_RUNS}, newestFirst: true) { edges { node { ${RUN_FIELDS} } } } }`, { t: tenantId }),
    gql(`query($t: ID) { conflicts(tenantId: $t, filter: { resolved: false }, first: 50) { edges { node { ${CONFLICT_FIELDS} } } } }`, { t: tenantId }),
  ]);
  state.users = users.hostUsers.edges.map((e) => e.node);
  for (const { node } of links.connections.edges) state.links.set(node.id, node);
  for (const { node } of runs.syncRuns.edges) state.runs.set(node.id, node);
  for (const { node } of conflicts.conflicts.edges) state.conflicts.set(node.id, node);
  state.issues = await loadIssues(tenantId);
  render();
  subscribe();
}

/** Open sync issues, when this hub has them (an unknown field fails validation: then the section is left out). */
async function loadIssues(tenantId) {
  try {
    const data = await gql(`query($t: ID) { syncIssues(tenantId: $t, filter: { open: true }, first: 50) { edges { node { ${ISSUE_FIELDS} } } } }`, { t: tenantId });
    return new Map(data.syncIssues.edges.map((e) => [e.node.id, e.node]));
  } catch (err) {
    if (err instanceof ApiError && err.code === 'GRAPHQL_VALIDATION_FAILED') return null;
    throw err;
  }
}

async function refreshLink(id) {
  const { connection } = await gql(`query($id: ID!) { connection(id: $id) { ${LINK_FIELDS} } }`, { id });
  state.links.set(id, connection);
  render();
}

// ------------------------------------------------------------------------------------------------
// Live updates (graphql-ws)

function subscribe() {
  state.ws?.dispose();
  const live = document.getElementById('live');
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;
  const client = createClient({
    url,
    connectionParams: { authorization: `Bearer ${state.key}` },
    lazy: false,
    retryAttempts: 10,
    shouldRetry: (event) => !(event && (event.code === 4401 || event.code === 4403)),
    on: {
      connected: () => {
        live.hidden = false;
        live.className = 'live';
        live.textContent = 'live';
      },
      closed: (event) => {
        live.className = 'live off';
        live.textContent = 'offline';
        if (event?.code === 4401 || event?.code === 4403) signOut(`The hub closed the live connection: ${event.reason}`);
      },
    },
  });
  state.ws = client;
  const t = state.tenantId;
  const on = (query, next) =>
    client.subscribe({ query, variables: { t } }, { next: (r) => (r.data ? next(r.data) : r.errors && say(r.errors[0].message, 'error')), error: () => undefined, complete: () => undefined });
  on(`subscription($t: ID) { syncStatus(tenantId: $t) { phase at run { ${RUN_FIELDS} } } }`, ({ syncStatus }) => {
    state.runs.set(syncStatus.run.id, syncStatus.run);
    render();
    if (syncStatus.phase !== 'PROGRESS' && state.links.has(syncStatus.run.connectionId)) void act('Refreshing a link', () => refreshLink(syncStatus.run.connectionId));
  });
  on(`subscription($t: ID) { connectionStatusChanged(tenantId: $t) { status at connection { ${LINK_FIELDS} } } }`, ({ connectionStatusChanged }) => {
    state.links.set(connectionStatusChanged.connection.id, connectionStatusChanged.connection);
    render();
  });
  on(`subscription($t: ID) { conflictDetected(tenantId: $t) { ${CONFLICT_FIELDS} } }`, ({ conflictDetected }) => {
    if (conflictDetected.status === 'OPEN') state.conflicts.set(conflictDetected.id, conflictDetected);
    render();
  });
  if (state.issues !== null) {
    on(`subscription($t: ID) { syncIssueRaised(tenantId: $t) { ${ISSUE_FIELDS} } }`, ({ syncIssueRaised }) => {
      if (syncIssueRaised.resolvedAt === null) state.issues.set(syncIssueRaised.id, syncIssueRaised);
      render();
    });
    on(`subscription($t: ID) { syncIssueResolved(tenantId: $t) { id } }`, ({ syncIssueResolved }) => {
      state.issues.delete(syncIssueResolved.id);
      render();
    });
  }
}

// ------------------------------------------------------------------------------------------------
// Actions

async function syncNow(link) {
  const { syncNow: run } = await gql(`mutation($id: ID!) { syncNow(connectionId: $id) { ${RUN_FIELDS} } }`, { id: link.id });
  state.runs.set(run.id, run);
  say(`Synchronization of ${link.accountEmail ?? 'the link'} started.`);
}

async function relink(link) {
  const { linkCalendar } = await gql('mutation($input: LinkCalendarInput!) { linkCalendar(input: $input) { authorizationUrl expiresAt } }', {
    input: { userId: link.userId, provider: link.provider },
  });
  state.relink.set(link.id, linkCalendar);
  render();
}

async function revoke(link) {
  const { revokeAccess } = await gql(`mutation($id: ID!) { revokeAccess(connectionId: $id) { connection { ${LINK_FIELDS} } } }`, { id: link.id });
  state.confirmRevoke = null;
  state.links.set(link.id, revokeAccess.connection);
  say(`Access to ${link.accountEmail ?? 'the calendar'} was revoked.`);
}

async function resolve(conflict, choice) {
  await gql('mutation($id: ID!, $choice: ConflictChoice!) { resolveConflict(id: $id, choice: $choice) { id status } }', { id: conflict.id, choice });
  state.conflicts.delete(conflict.id);
  say('The conflict was resolved.');
}

// ------------------------------------------------------------------------------------------------
// Rendering

function render() {
  if (!state.key) return renderSignIn();
  const tenant = state.tenants.find((t) => t.id === state.tenantId);
  const header = document.getElementById('tenant');
  if (state.viewer?.role === 'ADMIN') {
    header.replaceChildren(
      h('label', { for: 'tenant-select', class: 'small' }, 'Tenant '),
      h(
        'select',
        { id: 'tenant-select', onChange: (e) => ((state.tenantId = e.target.value), void act('load', loadTenant)) },
        state.tenants.map((t) => h('option', { value: t.id, selected: t.id === state.tenantId }, t.name)),
      ),
    );
  } else {
    header.textContent = tenant?.name ?? '';
  }
  app.replaceChildren(
    ...[
    state.notice ? h('p', { class: `notice ${state.notice.kind}`, role: 'status' }, state.notice.text, state.notice.tip ? h('span', { class: 'tip' }, ` — ${state.notice.tip}`) : null) : null,
    state.tenantId ? null : h('p', { class: 'notice' }, 'There is no tenant yet.'),
    renderLinks(),
    renderRuns(),
    renderIssues(),
    renderConflicts(),
    ].filter((node) => node !== null),
  );
}

function renderLinks() {
  const rows = [];
  for (const user of state.users) {
    const links = [...state.links.values()].filter((l) => l.userId === user.id);
    if (links.length === 0) {
      rows.push(h('tr', {}, userCell(user), h('td', { colSpan: 7, class: 'muted' }, 'No calendar linked')));
      continue;
    }
    for (const link of links) rows.push(...linkRows(user, link));
  }
  return h(
    'section',
    { id: 'links' },
    h('h2', {}, 'Users and links'),
    h(
      'table',
      {},
      h('thead', {}, h('tr', {}, ['User', 'Calendar account', 'Status', 'Sync', 'Last sync', 'Next sync', 'Last error', ''].map((c) => h('th', {}, c)))),
      h('tbody', {}, rows),
    ),
  );
}

function linkRows(user, link) {
  const row = h(
    'tr',
    { 'data-connection-id': link.id },
    userCell(user),
    h('td', {}, h('div', {}, link.accountEmail ?? '—'), h('div', { class: 'muted small' }, providerLabel(link.provider))),
    h('td', { class: 'status-cell' }, h('span', { class: `status status-${link.status}`, 'data-role': 'status' }, link.status), link.statusReason ? h('div', { class: 'muted small' }, link.statusReason) : null),
    h('td', {}, link.syncState, h('div', { class: 'muted small' }, link.twoWay ? 'two-way' : 'host → calendar only', link.deletionsHeld ? `, ${link.deletionsHeld} deletions held` : '')),
    h('td', {}, when(link.lastSyncAt)),
    h('td', {}, when(link.nextSyncAt)),
    h('td', { class: 'error-cell' }, link.lastError ? h('span', { class: 'error small', title: link.lastError.at }, `${link.lastError.code}: ${link.lastError.message}`) : h('span', { class: 'muted' }, '—')),
    h(
      'td',
      { class: 'actions' },
      h('button', { type: 'button', class: 'primary', disabled: link.status !== 'ACTIVE', onClick: () => act('Synchronize now', () => syncNow(link)) }, 'Synchronize now'),
      h('button', { type: 'button', onClick: () => act('Relink', () => relink(link)) }, 'Relink'),
      h('button', { type: 'button', class: 'danger', disabled: link.status === 'REVOKED', onClick: () => ((state.confirmRevoke = link.id), render()) }, 'Revoke'),
    ),
  );
  const extra = [];
  const url = state.relink.get(link.id);
  if (url) {
    extra.push(
      h(
        'tr',
        { class: 'relink' },
        h(
          'td',
          { colSpan: 8 },
          h('span', {}, `Send ${userLabel(user)} this sign-in link to relink ${providerLabel(link.provider)} (valid until ${new Date(url.expiresAt).toLocaleString()}): `),
          h('a', { class: 'relink-url', href: url.authorizationUrl, target: '_blank', rel: 'noopener noreferrer' }, url.authorizationUrl),
        ),
      ),
    );
  }
  if (state.confirmRevoke === link.id) {
    extra.push(
      h(
        'tr',
        {},
        h(
          'td',
          { colSpan: 8 },
          h('span', {}, `Revoke the hub's access to ${link.accountEmail ?? 'this calendar'}? Syncing stops; events already written stay. `),
          h('button', { type: 'button', class: 'danger', onClick: () => act('Revoke', () => revoke(link)) }, 'Revoke access'),
          ' ',
          h('button', { type: 'button', onClick: () => ((state.confirmRevoke = null), render()) }, 'Cancel'),
        ),
      ),
    );
  }
  return [row, ...extra];
}

function counts(c) {
  const parts = [`+${c.created}`, `~${c.updated}`, `−${c.deleted}`];
  if (c.conflicts) parts.push(`${c.conflicts} conflict${c.conflicts === 1 ? '' : 's'}`);
  if (c.errors) parts.push(`${c.errors} error${c.errors === 1 ? '' : 's'}`);
  return h('span', { class: 'counts', title: 'created ~updated −deleted' }, parts.join(' '));
}

function renderRuns() {
  const runs = [...state.runs.values()].sort((a, b) => b.startedAt.localeCompare(a.startedAt) || b.id.localeCompare(a.id)).slice(0, RECENT_RUNS);
  return h(
    'section',
    { id: 'runs' },
    h('h2', {}, 'Recent runs'),
    runs.length === 0
      ? h('p', { class: 'muted' }, 'No runs yet.')
      : h(
          'table',
          {},
          h('thead', {}, h('tr', {}, ['Started', 'Calendar account', 'Trigger', 'Outcome', 'Inbound', 'Outbound', 'Requests', 'Duration', 'Error'].map((c) => h('th', {}, c)))),
          h(
            'tbody',
            {},
            runs.map((run) =>
              h(
                'tr',
                { 'data-run-id': run.id },
                h('td', {}, when(run.startedAt)),
                h('td', {}, state.links.get(run.connectionId)?.accountEmail ?? run.connectionId),
                h('td', {}, run.trigger),
                h('td', {}, h('span', { class: `status outcome-${run.outcome}` }, run.outcome)),
                h('td', {}, counts(run.counts.inbound)),
                h('td', {}, counts(run.counts.outbound)),
                h('td', {}, String(run.providerRequests)),
                h('td', {}, run.durationMs === null ? '—' : `${run.durationMs} ms`),
                h('td', { class: 'error-cell' }, run.error ? h('span', { class: 'error small' }, `${run.error.code}: ${run.error.message}`) : ''),
              ),
            ),
          ),
        ),
  );
}

function renderIssues() {
  const body =
    state.issues === null
      ? h('p', { class: 'muted' }, 'This hub does not report sync issues yet.')
      : state.issues.size === 0
        ? h('p', { class: 'muted' }, 'No open sync issues.')
        : h(
            'ul',
            {},
            [...state.issues.values()].map((i) =>
              h('li', { 'data-issue-id': i.id }, h('strong', {}, i.code), ' — ', i.message, state.links.get(i.connectionId) ? h('span', { class: 'muted' }, ` (${state.links.get(i.connectionId).accountEmail})`) : null, i.tip ? h('div', { class: 'tip' }, `Tip: ${i.tip}`) : null),
            ),
          );
  return h('section', { id: 'issues' }, h('h2', {}, 'Open sync issues'), body);
}

function renderConflicts() {
  const conflicts = [...state.conflicts.values()];
  return h(
    'section',
    { id: 'conflicts' },
    h('h2', {}, 'Open conflicts'),
    conflicts.length === 0
      ? h('p', { class: 'muted' }, 'No open conflicts.')
      : h(
          'table',
          {},
          h('thead', {}, h('tr', {}, ['Detected', 'Appointment', 'Calendar account', 'Kind', 'Why', ''].map((c) => h('th', {}, c)))),
          h(
            'tbody',
            {},
            conflicts.map((c) =>
              h(
                'tr',
                { 'data-conflict-id': c.id },
                h('td', {}, when(c.createdAt)),
                h('td', {}, c.appointment?.subject ?? '(no subject)'),
                h('td', {}, state.links.get(c.connectionId)?.accountEmail ?? c.connectionId),
                h('td', {}, c.kind),
                h('td', { class: 'small' }, c.reason ?? ''),
                h(
                  'td',
                  { class: 'actions' },
                  h('button', { type: 'button', onClick: () => act('Resolve', () => resolve(c, 'HOST')) }, 'Keep host version'),
                  h('button', { type: 'button', onClick: () => act('Resolve', () => resolve(c, 'PROVIDER')) }, 'Keep calendar version'),
                  h('button', { type: 'button', class: 'danger', onClick: () => act('Resolve', () => resolve(c, 'DELETE')) }, 'Delete on both sides'),
                ),
              ),
            ),
          ),
        ),
  );
}

if (state.key) void act('load', enter);
else renderSignIn();
