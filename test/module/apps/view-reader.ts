import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Injectable } from '@nestjs/common';
import { InjectDynamoDbClient } from '../../../lib/index.js';

/** An app's own reader of views: it takes the event store's client instead of configuring a second one. */
@Injectable()
export class ViewReader {
  constructor(@InjectDynamoDbClient() readonly client: DynamoDBClient) {}
}
