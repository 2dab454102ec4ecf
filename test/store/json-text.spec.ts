import { jsonText, parseJsonText } from '../../lib/store/json-text.js';

describe('stored JSON text', () => {
  const text = '[{"aggregateType":"Post","aggregateId":"p","version":2}]';

  it('parses the same value whether it keeps the text or not, and writes it back to the same text', () => {
    const kept = parseJsonText(text) as unknown[];
    const replayed = parseJsonText(text, false) as unknown[];
    expect(replayed).toEqual(kept);
    expect(jsonText(kept)).toBe(text);
    expect(jsonText(replayed)).toBe(text);
  });

  it('keeps the exact stored text when asked to, even where serializing anew would differ', () => {
    // Spaces are not what JSON.stringify writes: only the kept text gives them back.
    const spaced = '[ 1, 2 ]';
    expect(jsonText(parseJsonText(spaced) as unknown[])).toBe(spaced);
    expect(jsonText(parseJsonText(spaced, false) as unknown[])).toBe('[1,2]');
  });

  it('throws on text that is not JSON', () => {
    expect(() => parseJsonText('[', false)).toThrow(SyntaxError);
  });
});
