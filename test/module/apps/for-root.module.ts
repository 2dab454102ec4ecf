import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { EventStoreModule } from '../../../lib/index.js';
import { Account } from '../../fixtures/account.js';
import { localDynamoDb, localS3, TEST_BUCKET, uniquePrefix } from '../../support/local-aws.js';
import { RecordingHandler } from './deposits.handler.js';
import { ViewReader } from './view-reader.js';

@Module({
  imports: [
    CqrsModule.forRoot(),
    EventStoreModule.forRoot({
      dynamodb: { client: localDynamoDb(), tablePrefix: uniquePrefix('root'), createTables: true },
      s3: { client: localS3(), bucket: TEST_BUCKET },
    }),
    EventStoreModule.forFeature([Account]),
  ],
  providers: [RecordingHandler, ViewReader],
})
export class ForRootAppModule {}
