// `nestjs-dynamodb-event-store/s3`: the S3 adapter of the blob port (large changesets, snapshot bodies).
export { S3BlobStore } from './s3-blob-store.js';
