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
