import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { Injectable } from '@nestjs/common';
import { InjectDynamoDbClient } from '../../lib/index.js';

@Injectable()
export class UserNames {
  constructor(@InjectDynamoDbClient() private readonly dynamodb: DynamoDBClient) {}

  async name(id: string): Promise<string | undefined> {
    const key = { id: { S: id } };
    const { Item } = await this.dynamodb.send(new GetItemCommand({ TableName: 'app-user-names', Key: key, ConsistentRead: true }));
    return Item?.['name']?.S;
  }
}
