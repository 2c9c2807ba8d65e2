/**
 * Drives the Google emulator's consent page the way a browser would: GET the auth URL, read the
 * `#consent` form (hidden inputs, the account select, ticked scope checkboxes), POST it, and return
 * where the 302 points. The page contract is documented in packages/emulators/src/google/oauth/consent-page.ts.
 */

export interface ConsentForm {
  action: string;
  hidden: Record<string, string>;
  accounts: { value: string; selected: boolean }[];
  scopes: string[];
}

const attr = (tag: string, name: string) => new RegExp(`${name}="([^"]*)"`).exec(tag)?.[1];
const unescape = (s: string) => s.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

export function parseConsentForm(html: string): ConsentForm {
  const form = /<form id="consent"[^>]*>([\s\S]*?)<\/form>/.exec(html);
  if (!form) throw new Error('no consent form on the page');
  const action = attr(form[0].slice(0, form[0].indexOf('>') + 1), 'action') ?? '';
  const hidden: Record<string, string> = {};
  const scopes: string[] = [];
  for (const m of (form[1] ?? '').matchAll(/<input[^>]*>/g)) {
    const tag = m[0];
    const name = attr(tag, 'name');
    const value = unescape(attr(tag, 'value') ?? '');
    if (!name) continue;
    if (/type="hidden"/.test(tag)) hidden[name] = value;
    if (/type="checkbox"/.test(tag) && /\schecked/.test(tag)) scopes.push(value);
  }
  const accounts = [...(form[1] ?? '').matchAll(/<option[^>]*>/g)].map((m) => ({ value: unescape(attr(m[0], 'value') ?? ''), selected: /\sselected/.test(m[0]) }));
  return { action: unescape(action), hidden, accounts, scopes };
}

/** Opens the auth URL, submits the consent form with the given choice, and returns the redirect target. */
export async function submitConsent(authUrl: string, choice: { account?: string; decision?: 'accept' | 'deny'; scopes?: string[] } = {}): Promise<URL> {
  const page = await fetch(authUrl, { redirect: 'manual' });
  if (page.status === 302) return new URL(page.headers.get('location') ?? '');
  const html = await page.text();
  if (page.status !== 200) throw new Error(`auth page answered ${page.status}: ${html.slice(0, 300)}`);
  const form = parseConsentForm(html);
  const fields = new URLSearchParams(form.hidden);
  fields.set('account', choice.account ?? form.accounts.find((a) => a.selected)?.value ?? form.accounts[0]?.value ?? '');
  fields.set('decision', choice.decision ?? 'accept');
  for (const s of choice.scopes ?? form.scopes) fields.append('scope', s);
  const res = await fetch(new URL(form.action, authUrl), { method: 'POST', body: fields, redirect: 'manual' });
  await res.text();
  if (res.status !== 302) throw new Error(`consent POST answered ${res.status}`);
  return new URL(res.headers.get('location') ?? '');
}
