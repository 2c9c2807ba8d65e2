/**
 * The one HTML escape of the hub's own pages (src/http/*.page.ts): text from users, providers or
 * errors goes through it before it is placed in element content or a quoted attribute value.
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c]!);
}

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
