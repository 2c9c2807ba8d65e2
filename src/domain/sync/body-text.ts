import { convert } from 'html-to-text';

/**
 * The text a person reads in an HTML body: what the comparison of bodies looks at. Providers
 * rewrap HTML (Graph wraps every body in its own `<html><head>…` envelope, re-encodes entities and
 * moves whitespace), so two bodies are the same content when their readable text is the same.
 * Links keep their target, so a changed URL still counts as a change.
 */
export function normalizeBodyText(html: string): string {
  return convert(html, {
    wordwrap: false,
    selectors: [
      { selector: 'a', options: { hideLinkHrefIfSameAsText: true, ignoreHref: false } },
      { selector: 'img', format: 'skip' },
    ],
  })
    .replace(/[ \t\u00a0]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
