import {
  type AttributeValue,
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  ResourceInUseException,
  UpdateItemCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { SAMPLE_APP_CONFIG, type SampleAppConfig } from '../config.js';

export interface UserView {
  readonly id: string;
  readonly name: string;
  /** Claps this user has given, over all posts. */
  readonly claps: number;
}

export interface PostView {
  readonly id: string;
  readonly title: string;
  readonly authorId: string;
  /** Claps this post has received. */
  readonly claps: number;
}

/**
 * The read model: one DynamoDB table, `<prefix>views`, keyed `User#<id>` / `Post#<id>`.
 * Every write is an UpdateItem that commutes with the others (SET fields, `if_not_exists` / ADD counters),
 * so a clap that lands before its post's view was written is not lost.
 */
@Injectable()
export class ViewStore implements OnModuleInit, OnApplicationShutdown {
  private readonly client: DynamoDBClient;
  readonly tableName: string;

  constructor(@Inject(SAMPLE_APP_CONFIG) config: SampleAppConfig) {
    this.client = new DynamoDBClient(config.dynamodb);
    this.tableName = `${config.tablePrefix}views`;
  }

  async onModuleInit(): Promise<void> {
    try {
      await this.client.send(
        new CreateTableCommand({
          TableName: this.tableName,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        }),
      );
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
    }
    await waitUntilTableExists({ client: this.client, maxWaitTime: 60, minDelay: 1 }, { TableName: this.tableName });
  }

  onApplicationShutdown(): void {
    this.client.destroy();
  }

  async putUser(id: string, name: string): Promise<void> {
    // `name` is a DynamoDB reserved word, hence `#name`.
    await this.update(
      `User#${id}`,
      'SET #name = :name, claps = if_not_exists(claps, :zero)',
      { ':name': { S: name }, ':zero': { N: '0' } },
      { '#name': 'name' },
    );
  }

  async putPost(id: string, authorId: string, title: string): Promise<void> {
    await this.update(`Post#${id}`, 'SET authorId = :authorId, title = :title, claps = if_not_exists(claps, :zero)', {
      ':authorId': { S: authorId },
      ':title': { S: title },
      ':zero': { N: '0' },
    });
  }

  /** Counts claps on both sides: received by the post, given by the user. */
  async addClaps(postId: string, userId: string, count: number): Promise<void> {
    const values = { ':count': { N: String(count) } };
    await Promise.all([
      this.update(`Post#${postId}`, 'ADD claps :count', values),
      this.update(`User#${userId}`, 'ADD claps :count', values),
    ]);
  }

  async getUser(id: string): Promise<UserView | undefined> {
    const item = await this.get(`User#${id}`);
    // An item holding only a counter means a clap arrived before the creation; the user is not visible yet.
    if (item?.name?.S === undefined) return undefined;
    return { id, name: item.name.S, claps: Number(item.claps?.N ?? 0) };
  }

  async getPost(id: string): Promise<PostView | undefined> {
    const item = await this.get(`Post#${id}`);
    if (item?.title?.S === undefined || item.authorId?.S === undefined) return undefined;
    return { id, title: item.title.S, authorId: item.authorId.S, claps: Number(item.claps?.N ?? 0) };
  }

  private async update(
    pk: string,
    expression: string,
    values: Record<string, AttributeValue>,
    names?: Record<string, string>,
  ): Promise<void> {
    await this.client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: { pk: { S: pk } },
        UpdateExpression: expression,
        ExpressionAttributeValues: values,
        ExpressionAttributeNames: names,
      }),
    );
  }

  private async get(pk: string): Promise<Record<string, AttributeValue> | undefined> {
    const result = await this.client.send(new GetItemCommand({ TableName: this.tableName, Key: { pk: { S: pk } }, ConsistentRead: true }));
    return result.Item;
  }
}
