/**
 * The JSON text of a stored value (events, dependencies), computed once per array: the store measures a
 * changeset's size and the adapter writes the same text, so a save converts its events to JSON only once;
 * and an array parsed from stored text keeps that text, so the sequencer copies changesets into the feed
 * without converting them again. Stored arrays are never mutated after they are built, which is what
 * makes the cache safe.
 */
const texts = new WeakMap<object, string>();

export function jsonText(value: readonly unknown[]): string {
  let text = texts.get(value);
  if (text === undefined) {
    text = JSON.stringify(value);
    texts.set(value, text);
  }
  return text;
}

/**
 * Parses stored JSON text and, with `keepText` (the default), remembers it as the text of the resulting array.
 * A replay, which never writes what it reads, passes `false` (see `parseEventsText`).
 */
export function parseJsonText(text: string, keepText = true): unknown {
  const value: unknown = JSON.parse(text);
  if (keepText && Array.isArray(value)) texts.set(value, text);
  return value;
}
