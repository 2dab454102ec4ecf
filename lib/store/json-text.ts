/**
 * The JSON text of a stored value (events, dependencies), computed once per array: the store measures a
 * changeset's size and the adapter writes the same text, so a save converts its events to JSON only once.
 * Stored arrays are never mutated after they are built, which is what makes the cache safe.
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
