import { describe, expect, it } from 'vitest';
import { escapeHtml } from '../../src/core/html.js';

describe('escapeHtml', () => {
  it('escapes markup and double quotes, ampersands first, and leaves other text alone', () => {
    expect(escapeHtml(`<a href="x?a=1&b=2">Tom & Jerry's</a>`)).toBe('&lt;a href=&quot;x?a=1&amp;b=2&quot;&gt;Tom &amp; Jerry\'s&lt;/a&gt;');
    expect(escapeHtml('&amp;')).toBe('&amp;amp;');
    expect(escapeHtml('plain – text')).toBe('plain – text');
  });
});
