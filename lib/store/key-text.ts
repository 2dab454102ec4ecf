import { MAX_AGGREGATE_ID_BYTES, MAX_AGGREGATE_TYPE_BYTES } from './limits.js';

/**
 * The rule for text that becomes part of a DynamoDB key: aggregate ids and aggregate type names.
 *
 * - Well-formed Unicode only. A lone surrogate has no UTF-8 form, so the stored key cannot be the id the caller
 *   gave. Checked on DynamoDB Local 10.3: puts keyed `a\uD800b`, `a\uDC00b` and `a?b` all land on ONE item, and a
 *   GetItem with any of the three returns it (the key is stored with `?` for the surrogate; the experiment is
 *   test/store/lone-surrogate-keys.e2e-spec.ts). Two different ids would share a stream. On AWS, key strings
 *   are UTF-8, which cannot hold a lone surrogate either: the key could not be the id given.
 * - No control characters (C0 U+0000–U+001F, DEL U+007F, C1 U+0080–U+009F). They have no business in an id,
 *   and each one costs 6 bytes (`\u0001`) wherever the id is stored as JSON (feed entries, dependencies,
 *   commit tokens): a 1,024-byte id of them is 6 KB of JSON, which is how an id could outgrow a feed batch.
 * - Everything else is allowed: any other Unicode (RTL marks, combining characters, emoji), spaces, `#`, `/`, `%`.
 */

/** Why `id` cannot be an aggregate id, or `undefined` when it can. */
export function aggregateIdProblem(id: unknown): string | undefined {
  if (typeof id !== 'string') return `the id must be a string, got ${id === null ? 'null' : typeof id}`;
  if (id.length === 0) return 'the id is empty';
  const bytes = Buffer.byteLength(id, 'utf8');
  if (bytes > MAX_AGGREGATE_ID_BYTES) return `the id is ${bytes} bytes; the limit is ${MAX_AGGREGATE_ID_BYTES}`;
  const bad = forbiddenCharacter(id);
  return bad && `the id ${bad}`;
}

/** Why `type` cannot be an aggregate type name, or `undefined` when it can. */
export function aggregateTypeProblem(type: unknown): string | undefined {
  if (typeof type !== 'string' || type.length === 0) return 'the aggregate type must be a non-empty string';
  if (type.includes('#')) return `the aggregate type may not contain "#" (index ${type.indexOf('#')})`;
  const bytes = Buffer.byteLength(type, 'utf8');
  if (bytes > MAX_AGGREGATE_TYPE_BYTES) return `the aggregate type is ${bytes} bytes; the limit is ${MAX_AGGREGATE_TYPE_BYTES}`;
  const bad = forbiddenCharacter(type);
  return bad && `the aggregate type ${bad}`;
}

/** Describes the first control character or lone surrogate in `text` (index in UTF-16 code units). */
function forbiddenCharacter(text: string): string | undefined {
  for (let index = 0; index < text.length; index++) {
    const unit = text.charCodeAt(index);
    if (unit <= 0x1f || (unit >= 0x7f && unit <= 0x9f)) {
      return `contains the control character ${codePoint(unit)} at index ${index}; control characters (U+0000–U+001F, U+007F–U+009F) are not allowed`;
    }
    if (unit >= 0xd800 && unit <= 0xdfff) {
      const next = text.charCodeAt(index + 1);
      if (unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        index++; // a well-formed pair: one astral character
        continue;
      }
      return `contains the lone surrogate ${codePoint(unit)} at index ${index}; it must be well-formed Unicode`;
    }
  }
  return undefined;
}

function codePoint(unit: number): string {
  return `U+${unit.toString(16).toUpperCase().padStart(4, '0')}`;
}
