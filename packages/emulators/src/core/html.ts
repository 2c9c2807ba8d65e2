/**
 * Escapes text for the emulators' HTML: element content and double-quoted attribute values, the
 * only places the sandbox and consent pages and Graph's PlainText body rendering put text.
 * Apostrophes stay as they are (no page uses single-quoted attributes).
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => HTML_ENTITIES[c]!);
}

const HTML_ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };
