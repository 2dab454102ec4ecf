/** DynamoDB's item limit (400 KB, attribute names included). */
export const DYNAMODB_ITEM_LIMIT_BYTES = 400 * 1024;
/** Room kept for keys and metadata attributes beside the events payload (ids may be up to 1 KB each). */
export const CHANGESET_METADATA_RESERVE_BYTES = 8 * 1024;
/** Largest events + dependencies JSON one changeset may carry. */
export const MAX_CHANGESET_PAYLOAD_BYTES = DYNAMODB_ITEM_LIMIT_BYTES - CHANGESET_METADATA_RESERVE_BYTES;
/** An aggregate id is at most this many UTF-8 bytes (the stream key must stay under 2,048). */
export const MAX_AGGREGATE_ID_BYTES = 1024;
/** An aggregate type name is at most this many UTF-8 bytes. */
export const MAX_AGGREGATE_TYPE_BYTES = 255;
/**
 * Deepest nesting of arrays and objects in one event, the event object itself being level 1. Deeper payloads
 * fail with `EventSerializationError`: converting them to JSON recurses once per level and would overflow the
 * stack (an untyped `RangeError`) somewhere past a few thousand levels, depending on the stack size.
 */
export const MAX_PAYLOAD_DEPTH = 100;
