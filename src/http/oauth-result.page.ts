import { escapeHtml } from './escape-html.js';

/**
 * The small page the OAuth callback shows when there is no `returnTo` to go back to: "linked — you
 * can close this window", or why linking failed and what to do. Self-contained (inline style, no
 * script, no external resource) and built only from escaped, user-safe text: no token, code, state
 * or stack ever reaches it.
 */

export interface ResultPage {
  outcome: 'linked' | 'failed';
  title: string;
  message: string;
  tip: string | null;
  /** Stable failure code, shown small for support. */
  code: string | null;
}

export function renderOAuthResultPage(page: ResultPage): string {
  const ok = page.outcome === 'linked';
  const accent = ok ? '#1a7f37' : '#b42318';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(page.title)}</title>
<style>
  body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: #f6f7f9; color: #1f2328; margin: 0; }
  main { max-width: 34rem; margin: 12vh auto; background: #fff; border-radius: 12px; padding: 2rem 2.25rem; box-shadow: 0 1px 3px rgba(0,0,0,.12); border-top: 4px solid ${accent}; }
  h1 { font-size: 1.35rem; margin: 0 0 .75rem; color: ${accent}; }
  p { line-height: 1.5; margin: .5rem 0; }
  .tip { background: #f6f8fa; border-radius: 8px; padding: .75rem 1rem; margin-top: 1rem; }
  .code { color: #656d76; font-size: .8rem; margin-top: 1.25rem; }
</style>
</head>
<body>
<main id="${ok ? 'linked' : 'failed'}">
<h1>${escapeHtml(page.title)}</h1>
<p class="message">${escapeHtml(page.message)}</p>
${page.tip ? `<p class="tip">${escapeHtml(page.tip)}</p>` : ''}
${page.code ? `<p class="code">Code: ${escapeHtml(page.code)}</p>` : ''}
</main>
</body>
</html>
`;
}
