import { describe, expect, it } from 'vitest';
import { escapeHtml } from '../../../src/http/escape-html.js';

describe('escapeHtml', () => {
  it('makes markup and quotes inert, leaving other text as it is', () => {
    expect(escapeHtml(`<script>alert("x")</script> & 'tip'`)).toBe('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;tip&#39;');
    expect(escapeHtml('Zürich — 10:00')).toBe('Zürich — 10:00');
  });

  it('escapes an ampersand once, so an entity in the text shows as typed', () => {
    expect(escapeHtml('&amp;')).toBe('&amp;amp;');
  });
});
