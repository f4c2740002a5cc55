import { describe, expect, it } from 'vitest';
import { wrapText } from '../../src/cli/probe/wrap-text.js';

describe('wrapText', () => {
  it('wraps at spaces and keeps the text’s own line breaks', () => {
    expect(wrapText('one two three four', 9)).toEqual(['one two', 'three', 'four']);
    expect(wrapText('a\r\nb\n\nc', 10)).toEqual(['a', 'b', '', 'c']);
  });

  it('breaks a word longer than a line after a separator near its end, else at the width', () => {
    expect(wrapText('anthropic/claude-3.5-haiku', 24)).toEqual(['anthropic/claude-3.5-', 'haiku']);
    expect(wrapText('openai/gpt-4o-mini', 10)).toEqual(['openai/', 'gpt-4o-', 'mini']);
    expect(wrapText('abcdefghijklmnop', 6)).toEqual(['abcdef', 'ghijkl', 'mnop']);
    // A separator too early in the line would waste most of it: cut at the width instead.
    expect(wrapText('a/bcdefghijkl', 9)).toEqual(['a/bcdefgh', 'ijkl']);
  });

  it('counts characters, not UTF-16 units, and never returns a line over the width', () => {
    const lines = wrapText('héllo wörld 🙂🙂🙂🙂🙂🙂🙂', 5);
    expect(lines).toEqual(['héllo', 'wörld', '🙂🙂🙂🙂🙂', '🙂🙂']);
    for (const line of wrapText('x'.repeat(50), 7)) expect([...line].length).toBeLessThanOrEqual(7);
  });
});
