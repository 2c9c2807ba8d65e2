import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_CSP } from '../../src/http/console.routes.js';
import { ConflictDocument, RevokeAccessDocument } from '../graphql/generated.js';
import { chromiumMissing, launchChromium } from '../helpers/chromium.js';
import { addUser, createTenantWithUser, linkOk, sandboxKit, startLinkingHub, type LinkingHub } from './linking/linking-harness.js';
import { bothSidesEdited, linkedUser, syncNowToEnd, type LinkedUser } from './sync-api/sync-api-harness.js';

/** Where the views are saved (`npm run docs:screenshots` refreshes the ones docs/console.md shows, in docs/images). */
const SHOTS = path.resolve(process.env.CONSOLE_SCREENSHOTS ?? 'reports/console');
const LIVE_MS = 15_000;

describe.skipIf(chromiumMissing !== null)(`the admin console in headless Chromium${chromiumMissing ? ` — skipped: ${chromiumMissing}` : ''}`, () => {
  let t: LinkingHub;
  let u: LinkedUser;
  let conflictId: string;
  let carlaAccount: string;
  let carlaLinkId: string;
  let browser: Browser;
  let page: Page;
  const cspViolations: string[] = [];
  let navigations = 0;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    t = await startLinkingHub({ JOBS_POLL_INTERVAL_MS: '100' });
    u = await linkedUser(t, 'MICROSOFT', 'console', { conflictPolicy: 'MANUAL', quiet: true });
    await addUser(t, u.key, { hostUserId: 'bob', email: 'bob@crm.example' });
    // A second link, to Google, so the page shows both providers.
    const carla = await addUser(t, u.key, { hostUserId: 'carla', email: 'carla@crm.example' });
    carlaAccount = sandboxKit(t, 'GOOGLE').newAccount('carla');
    carlaLinkId = await linkOk(t, u.key, { userId: carla, provider: 'GOOGLE', account: carlaAccount });
    conflictId = (await bothSidesEdited(t, u, 'console-planning')).id;
    await syncNowToEnd(t, u);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('console', (m) => {
      if (/Content[- ]Security[- ]Policy/i.test(m.text())) cspViolations.push(m.text());
    });
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) navigations += 1;
    });
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const linkRow = () => page.locator(`tr[data-connection-id="${u.connectionId}"]`);
  const shot = (name: string, height?: number) =>
    page.screenshot({ path: path.join(SHOTS, `console-${name}.png`), ...(height ? { clip: { x: 0, y: 0, width: 1280, height } } : { fullPage: true }) });

  it('is served with a Content-Security-Policy that allows no inline script or style', async () => {
    const response = await fetch(`${t.origin}/console`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
    expect(CONSOLE_CSP).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
    const html = await response.text();
    expect(html.match(/<script[^>]*>/g)).toEqual(['<script type="module" src="/console/assets/console.js">']);
    expect(html).not.toMatch(/\sstyle=|\son\w+=/);
    expect((await fetch(`${t.origin}/console/assets/../package.json`)).status).toBe(404);
  });

  it('signs in with the API key (kept in session storage only) and lists the users and the linked account', async () => {
    await page.goto(`${t.origin}/console`);
    await page.getByLabel('API key').fill('hub_not-a-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('not accepted');
    await shot('sign-in', 380);

    await page.getByLabel('API key').fill(u.key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await linkRow().waitFor();
    expect(await linkRow().textContent()).toContain(u.email);
    expect(await linkRow().locator('[data-role="status"]').textContent()).toBe('ACTIVE');
    expect(await page.locator('#links').textContent()).toContain('No calendar linked');
    await expect.poll(() => page.locator('#live').textContent()).toBe('live');
    // Expressions run in the page (the test's own TypeScript has no DOM types).
    expect(await page.evaluate('({ session: Object.keys(sessionStorage).length, local: localStorage.length })')).toEqual({ session: 2, local: 0 });
    expect(await page.evaluate('Object.values(sessionStorage)')).toContain(u.key);
  });

  it('shows a run started with "Synchronize now" as it happens, without reloading', async () => {
    const before = navigations;
    const known = new Set(await page.locator('#runs tr[data-run-id]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-run-id'))));
    await linkRow().getByRole('button', { name: 'Synchronize now' }).click();
    const fresh = () => page.locator('#runs tr[data-run-id]').evaluateAll((rows, seen) => rows.map((r) => r.getAttribute('data-run-id')).filter((id) => !seen.includes(id)), [...known]);
    await expect.poll(fresh, { timeout: LIVE_MS }).toHaveLength(1);
    const [runId] = await fresh();
    const row = page.locator(`#runs tr[data-run-id="${runId}"]`);
    expect(await row.textContent()).toContain('MANUAL');
    await expect.poll(() => row.locator('.status').textContent(), { timeout: LIVE_MS }).toBe('SUCCEEDED');
    // The newest run is on top, and nothing navigated: it came over graphql-ws.
    expect(await page.locator('#runs tr[data-run-id]').first().getAttribute('data-run-id')).toBe(runId);
    expect(navigations).toBe(before);
    await shot('links-and-runs');
  });

  it('lists an open conflict and resolves it', async () => {
    const row = page.locator(`tr[data-conflict-id="${conflictId}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('EDIT_EDIT');
    await row.getByRole('button', { name: 'Keep host version' }).click();
    await row.waitFor({ state: 'detached' });
    expect((await t.gql(ConflictDocument, { id: conflictId }, u.key)).data?.conflict.status).toBe('RESOLVED');
  });

  it('shows the sign-in link of "Relink"', async () => {
    await linkRow().getByRole('button', { name: 'Relink' }).click();
    const link = page.locator('a.relink-url');
    await link.waitFor();
    const href = await link.getAttribute('href');
    expect(href).toMatch(/^https?:\/\/.+\/authorize\?.*login_hint=console/);
    expect(await link.textContent()).toBe(href);
    await shot('relink');
  });

  it('shows a link whose grant was removed at the provider turn NEEDS_REAUTH, with the reason and the last error', async () => {
    const before = navigations;
    sandboxKit(t, 'GOOGLE').revokeGrant(carlaAccount);
    const row = page.locator(`tr[data-connection-id="${carlaLinkId}"]`);
    await row.getByRole('button', { name: 'Synchronize now' }).click();
    await expect.poll(() => row.locator('[data-role="status"]').textContent(), { timeout: LIVE_MS }).toBe('NEEDS_REAUTH');
    await expect.poll(() => row.textContent(), { timeout: LIVE_MS }).toMatch(/no longer accepts.*AUTH_REVOKED/s);
    expect(await row.getByRole('button', { name: 'Synchronize now' }).isDisabled()).toBe(true);
    // Its open sync issue arrives over syncIssueRaised, with the tip.
    await expect.poll(() => page.locator('#issues').textContent(), { timeout: LIVE_MS }).toMatch(/RELINK_REQUIRED.*carla.*Tip: .*[Rr]elink/s);
    expect(navigations).toBe(before);
  });

  it('shows a link revoked elsewhere change status without reloading', async () => {
    const before = navigations;
    const revoked = await t.gql(RevokeAccessDocument, { connectionId: u.connectionId }, u.key);
    expect(revoked.errors).toBeUndefined();
    await expect.poll(() => linkRow().locator('[data-role="status"]').textContent(), { timeout: LIVE_MS }).toBe('REVOKED');
    expect(await linkRow().getByRole('button', { name: 'Synchronize now' }).isDisabled()).toBe(true);
    expect(navigations).toBe(before);
    expect(cspViolations).toEqual([]);
    await shot('revoked');
  });

  it('forgets the key on "Sign out"', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API key').waitFor();
    expect(await page.evaluate('Object.values(sessionStorage)')).not.toContain(u.key);
  });

  it('lets an ADMIN key pick the tenant to watch', async () => {
    const other = await createTenantWithUser(t, 'Other tenant', { hostUserId: 'dora', email: 'dora@other.example' });
    await page.getByLabel('API key').fill(t.admin);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const picker = page.getByLabel('Tenant');
    await picker.waitFor();
    await picker.selectOption(u.tenantId);
    await linkRow().waitFor();
    expect(await page.locator('#links').textContent()).not.toContain('dora@other.example');
    await picker.selectOption(other.tenantId);
    await expect.poll(() => page.locator('#links').textContent()).toContain('dora@other.example');
    expect(await linkRow().count()).toBe(0);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API key').waitFor();
  });
});
