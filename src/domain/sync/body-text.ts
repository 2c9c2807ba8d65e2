import { htmlToText } from './html-body.js';

/**
 * The text a person reads in a body: what the comparison of bodies looks at. Providers rewrap HTML
 * (Graph wraps every body in its own `<html><head>…` envelope, re-encodes entities and moves
 * whitespace) and turn text into HTML and back, so two bodies are the same content when their
 * readable text is the same. Links keep their target, so a changed URL still counts as a change.
 * Blanks do not count where HTML does not show them either: runs of spaces are one space, blanks
 * around line breaks go, more than one empty line is one.
 */
export function normalizeBodyText(body: { contentType: 'TEXT' | 'HTML'; content: string }): string {
  return (body.contentType === 'HTML' ? htmlToText(body.content) : body.content)
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t\u00a0]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
