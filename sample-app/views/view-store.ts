import { type AttributeValue, type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { type BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import { InjectDynamoDbClient, ProjectionManager, StorageUnavailableError } from '../../lib/index.js';
import { SAMPLE_APP_CONFIG, type SampleAppConfig } from '../config.js';
import { postKey, STATS_KEY, userKey, VIEWS } from './view-writes.js';

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
 * The read model: one DynamoDB table, `<prefix>views`, keyed `User#<id>` / `Post#<id>` / `Stats`. The
 * projections declare it (the event store creates it) and write it (see `view-writes.ts`); this class reads
 * it, always strongly consistent, so a read after `ProjectionManager.waitFor` sees what the projection committed.
 */
@Injectable()
export class ViewStore implements BeforeApplicationShutdown {
  readonly tableName: string;

  constructor(
    @Inject(SAMPLE_APP_CONFIG) config: SampleAppConfig,
    private readonly projections: ProjectionManager,
    // The event store's own client (which it destroys on shutdown): the views live in the same DynamoDB,
    // embedded or not, so a second client with the same settings would only cost connections.
    @InjectDynamoDbClient() private readonly client: DynamoDBClient,
  ) {
    this.tableName = `${config.tablePrefix}${VIEWS}`;
  }

  /**
   * The event store stops its projections in its own `onApplicationShutdown`, which Nest runs after ours;
   * a projection step still running then would read through a destroyed client. Stopping them first
   * (the library's later stop is a no-op) keeps shutdown quiet.
   */
  async beforeApplicationShutdown(): Promise<void> {
    await this.projections.stop();
  }

  async getUser(id: string): Promise<UserView | undefined> {
    const item = await this.get(userKey(id));
    // An item holding only a counter means a clap was applied before the creation; the user is not visible yet.
    if (item?.name?.S === undefined) return undefined;
    return { id, name: item.name.S, claps: Number(item.claps?.N ?? 0) };
  }

  async getPost(id: string): Promise<PostView | undefined> {
    const item = await this.get(postKey(id));
    if (item?.title?.S === undefined || item.authorId?.S === undefined) return undefined;
    return { id, title: item.title.S, authorId: item.authorId.S, claps: Number(item.claps?.N ?? 0) };
  }

  /** Whether the user view already holds the user's creation (committed; writes queued in a commit are not). */
  async userExists(id: string): Promise<boolean> {
    return (await this.get(userKey(id)))?.name?.S !== undefined;
  }

  /** Claps the user-view projection applied before the clapping user's creation; 0 when the feed is causal. */
  async outOfOrderClaps(): Promise<number> {
    return Number((await this.get(STATS_KEY))?.outOfOrderClaps?.N ?? 0);
  }

  private async get(pk: string): Promise<Record<string, AttributeValue> | undefined> {
    try {
      const result = await this.client.send(new GetItemCommand({ TableName: this.tableName, Key: { pk: { S: pk } }, ConsistentRead: true }));
      return result.Item;
    } catch (error) {
      // The same typed error the event store raises, so an outage answers 503 on reads as it does on writes.
      throw new StorageUnavailableError(`GetItem ${this.tableName}`, error);
    }
  }
}
