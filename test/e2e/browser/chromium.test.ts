import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../helpers/chromium.js';
import { createTenantWithUser, sandboxAccountId, startLink, startLinkingHub, type LinkingHub } from '../linking/linking-harness.js';

/**
 * A newcomer's browser (Chromium, fresh profile, nothing trusted, no internet): the sandbox
 * Microsoft sign-in opens without a certificate warning, the "Linked" page survives a reload, and
 * the explorer at /graphql works from the hub's own assets.
 */
/** The bit of the DOM the page scripts below use (the test project compiles without the DOM library). */
interface BrowserGlobals {
  document: { querySelectorAll(selector: string): ArrayLike<unknown>; querySelector(selector: string): { textContent: string | null } | null };
}

let t: LinkingHub;
let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
  t = await startLinkingHub();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('in Chromium', () => {
  it('signs in at the sandbox Microsoft without a certificate warning, and a reload of "Linked" shows it again', async () => {
    // Not ignoreHTTPSErrors: an untrusted certificate would fail the navigation (the interstitial).
    context = await browser.newContext();
    const page = await context.newPage();
    const visited: string[] = [];
    page.on('request', (request) => visited.push(request.url()));

    const tenant = await createTenantWithUser(t, 'Browser Co', { hostUserId: 'b1', email: null });
    const authorizationUrl = await startLink(t, tenant.key, { userId: tenant.userId, provider: 'MICROSOFT' });
    const consent = await page.goto(authorizationUrl);
    expect(consent?.status()).toBe(200);
    expect(await page.title()).toContain('Sign in');

    await page.selectOption('#account', sandboxAccountId(t, 'MICROSOFT', 'adele.vance@contoso.onmicrosoft.com'));
    await Promise.all([page.waitForURL(/\/oauth\/callback\/microsoft-graph\?/), page.click('button[value=accept]')]);
    expect(await page.textContent('h1')).toBe('Linked — you can close this window');
    const message = await page.textContent('p.message');
    expect(message).toContain('adele.vance@contoso.onmicrosoft.com');

    const reloaded = await page.reload();
    expect(reloaded?.status()).toBe(200);
    expect(await page.textContent('h1')).toBe('Linked — you can close this window');
    expect(await page.textContent('p.message')).toBe(message);

    // The account's sandbox page opens the same way.
    const sandboxPage = await page.goto(t.sandbox.microsoft.sandboxUrl(sandboxAccountId(t, 'MICROSOFT', 'adele.vance@contoso.onmicrosoft.com')));
    expect(sandboxPage?.status()).toBe(200);
    expect(visited.filter((url) => url.startsWith('https:'))).toEqual([]);
    await context.close();
  });

  it('runs a query in the explorer at /graphql, built from assets the hub serves', async () => {
    context = await browser.newContext();
    const page = await context.newPage();
    const external: string[] = [];
    page.on('request', (request) => {
      if (!new URL(request.url()).hostname.match(/^(127\.0\.0\.1|localhost)$/)) external.push(request.url());
    });
    await page.goto(t.graphqlUrl);
    await page.waitForSelector('.graphiql-container .CodeMirror');
    // The Headers tab is a CodeMirror editor; set it as a person would paste the key.
    await page.evaluate((key) => {
      const editors = (globalThis as unknown as BrowserGlobals).document.querySelectorAll('.graphiql-editor-tool .CodeMirror') as unknown as { CodeMirror: { setValue(v: string): void } }[];
      editors[editors.length - 1]!.CodeMirror.setValue(JSON.stringify({ Authorization: `Bearer ${key}` }));
    }, t.admin);
    await page.click('.graphiql-execute-button');
    await page.waitForFunction(() => (globalThis as unknown as BrowserGlobals).document.querySelector('.result-window')?.textContent?.includes('ADMIN'));
    expect(external).toEqual([]);
    await context.close();
  });
});
