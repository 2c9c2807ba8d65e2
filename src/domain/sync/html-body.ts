import { convert } from 'html-to-text';
import { DomUtils, parseDocument } from 'htmlparser2';
import sanitizeHtml from 'sanitize-html';
import type { ChildNode, Element } from 'domhandler';

/**
 * HTML bodies between the host and the calendars (docs/sync.md, "Fields"), with a maintained
 * sanitiser (sanitize-html) and parser (htmlparser2) — never regular expressions over markup.
 *
 * - A body read from a calendar is sanitised: the document envelope Graph wraps every body in
 *   (`<html><head>…<body>`), styles, scripts, comments, Office namespaces and presentation
 *   attributes go; the content, links and text direction (`dir`) stay.
 * - Outlook's rendering of a plain-text body (`<div class="PlainText">…<br>…</div>`) reads as text.
 * - Text and HTML convert both ways; the record link is found and removed by its target.
 */

const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: [...sanitizeHtml.defaults.allowedTags, 'img'],
  allowedAttributes: {
    ...sanitizeHtml.defaults.allowedAttributes,
    '*': ['dir', 'lang', 'title'],
  },
  allowedSchemesByTag: { img: ['http', 'https', 'data', 'cid'] },
  nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'title', 'head'],
};

/** The body content of an HTML document or fragment, sanitised; '' when nothing is left. */
export function sanitizeHtmlBody(html: string): string {
  return sanitizeHtml(html, SANITIZE).replace(/\r\n?/g, '\n').trim();
}

const isElement = (n: ChildNode): n is Element => n.type === 'tag' || n.type === 'script' || n.type === 'style';
const isBlank = (n: ChildNode): boolean => n.type === 'text' && n.data.trim() === '';

/** The element whose children are the content: `<body>` of a document, else the fragment itself. */
function contentRoot(html: string): { children: ChildNode[] } {
  const doc = parseDocument(html);
  return DomUtils.findOne((e) => e.name === 'body', doc.children, true) ?? doc;
}

/**
 * The text of Outlook's plain-text rendering — a `<div class="PlainText">` holding only text and
 * `<br>`s (Graph renders text bodies that way) — or null when the HTML is anything else.
 */
export function outlookPlainText(html: string): string | null {
  const parts = contentRoot(html).children.filter((n) => !isBlank(n) && n.type !== 'comment');
  const div = parts[0];
  if (parts.length !== 1 || !div || !isElement(div) || div.name !== 'div') return null;
  if (!(div.attribs.class ?? '').split(/\s+/).includes('PlainText')) return null;
  let out = '';
  let afterBreak = false;
  for (const n of div.children) {
    if (n.type === 'text') {
      // Graph writes "<br>\r\n" between lines: the line break after a <br> is markup, not text.
      out += afterBreak ? n.data.replace(/^\r?\n/, '') : n.data;
      afterBreak = false;
    } else if (isElement(n) && n.name === 'br') {
      out += '\n';
      afterBreak = true;
    } else {
      return null;
    }
  }
  return out;
}

/** HTML that shows nothing: no text and no image. */
export function isEmptyHtml(html: string): boolean {
  if (htmlToText(html) !== '') return false;
  return DomUtils.findOne((e) => e.name === 'img', contentRoot(html).children, true) === null;
}

/** The readable text of HTML (paragraphs and breaks as line breaks, links as "text [target]"). */
export function htmlToText(html: string): string {
  return convert(html, {
    wordwrap: false,
    selectors: [
      { selector: 'a', options: { hideLinkHrefIfSameAsText: true, ignoreHref: false } },
      { selector: 'img', format: 'skip' },
    ],
  }).trim();
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Text as HTML that shows the same text: escaped, line breaks as `<br>`, in one `<div>`. */
export function textToHtml(text: string): string {
  return `<div>${text.replace(/\r\n?/g, '\n').split('\n').map(escapeHtml).join('<br>')}</div>`;
}

/** The record link as the body carries it outside. */
export function recordLinkHtml(url: string, label: string): string {
  return `<p><a href="${escapeHtml(url)}">${escapeHtml(label)}</a></p>`;
}

export function recordLinkText(url: string, label: string): string {
  return `${label}: ${url}`;
}

const WRAPPERS = new Set(['p', 'div', 'span', 'font', 'b', 'strong', 'i', 'em', 'u']);

const isBreak = (n: ChildNode | null): boolean => n !== null && isElement(n) && n.name === 'br';

/**
 * HTML without the record link: every `<a href="<url>">` goes, and so does a text holding only the
 * link (`Label: <url>`, as Outlook makes of a text body), the label next to it, an element around it
 * that held nothing else, and the line breaks before it. Returns the HTML unchanged (same string)
 * when the link is not there.
 */
export function removeLinkFromHtml(html: string, url: string, label: string): string {
  const root = contentRoot(html);
  const isRemnant = (n: ChildNode | null): boolean => n !== null && n.type === 'text' && leftover(n.data, url, label) === '';
  const targets: ChildNode[] = [
    ...DomUtils.findAll((e) => e.name === 'a' && (e.attribs.href ?? '').trim() === url, root.children),
    ...DomUtils.filter((n) => n.type === 'text' && n.data.includes(url) && isRemnant(n), root.children, true),
  ];
  if (targets.length === 0) return html;
  for (const target of targets) {
    let node: ChildNode = target;
    // Climb while the parent holds nothing else worth keeping (only the label, breaks and blanks).
    while (node.parent && isElement(node.parent as ChildNode) && WRAPPERS.has((node.parent as Element).name)) {
      const parent = node.parent as Element;
      if (!parent.children.every((c) => c === node || isRemnant(c) || isBreak(c) || isBlank(c))) break;
      node = parent;
    }
    // The label beside the link, and the line breaks that led to it.
    while (isRemnant(node.prev) && !isBlank(node.prev!)) DomUtils.removeElement(node.prev!);
    while (isRemnant(node.next) && !isBlank(node.next!)) DomUtils.removeElement(node.next!);
    while (node.prev && (isBreak(node.prev) || isBlank(node.prev))) DomUtils.removeElement(node.prev);
    DomUtils.removeElement(node);
  }
  return DomUtils.getInnerHTML(root as Element, { encodeEntities: 'utf8' });
}

/** What is left of a text once the link's label, its target and separators are taken out. */
function leftover(text: string, url: string, label: string): string {
  let t = text.replace(/\u00a0/g, ' ').trim();
  for (const part of [url, label.trim(), ':']) if (part !== '') t = t.split(part).join('').trim();
  return t;
}

/** Text without the record link line(s) (`<label>: <url>`, or the bare URL) and the blank lines before them. */
export function removeLinkFromText(text: string, url: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const kept = lines.filter((line) => {
    const t = line.trim();
    return !(t === url || t.endsWith(`: ${url}`) || t.endsWith(`:${url}`));
  });
  if (kept.length === lines.length) return text;
  return kept.join('\n').replace(/\s+$/, '');
}
