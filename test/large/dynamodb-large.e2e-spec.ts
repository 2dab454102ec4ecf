import { DynamoDbChangesetStorage } from '../../lib/adapters/dynamodb/dynamodb-storage.js';
import { S3BlobStore } from '../../lib/adapters/s3/s3-blob-store.js';
import { describeLargeChangesetContract } from '../contract/large-changesets.contract.js';
import { localDynamoDb, localS3, TEST_BUCKET, uniquePrefix } from '../support/local-aws.js';

describeLargeChangesetContract('DynamoDB Local + S3 server', async () => {
  const prefix = uniquePrefix('large');
  const storage = new DynamoDbChangesetStorage({ client: localDynamoDb(), tablePrefix: prefix, ownsClient: true });
  await storage.createTables();
  const s3 = localS3();
  return {
    storage,
    blobs: new S3BlobStore(s3, TEST_BUCKET),
    keyPrefix: prefix,
    close: async () => {
      await storage.close();
      s3.destroy();
    },
  };
});
