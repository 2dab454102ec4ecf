import { CreateTableCommand, type DynamoDBClient, ResourceInUseException, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { Inject } from '@nestjs/common';
import { HandlesEvent, Projection, type ProjectionContext } from '../../lib/index.js';
import { SAMPLE_APP_CONFIG, type SampleAppConfig } from '../../sample-app/config.js';
import { PostClapped, PostPublished } from '../../sample-app/posts/post.events.js';
import { UserCreated } from '../../sample-app/users/user.events.js';

export const HISTORY_PROJECTION = 'soak-history';

export const historyTable = (prefix: string): string => `${prefix}soak-history`;

/** The sort key of a changeset's item: its stream and seq. */
export const applicationKey = (aggregateType: string, aggregateId: string, seq: number): string => `${aggregateType}#${aggregateId}#${seq}`;

/**
 * Writes down, in storage, every changeset it applies: `ADD applied 1` and `SET position` on one item per
 * (projection, stream, seq), committed with its checkpoint like any read-model write. After a run, an item
 * with `applied` 1 and the changeset's feed position proves it was applied exactly once, in feed order.
 */
@Projection(HISTORY_PROJECTION)
export class HistoryProjection {
  private readonly table: string;

  constructor(@Inject(SAMPLE_APP_CONFIG) config: SampleAppConfig) {
    this.table = historyTable(config.tablePrefix);
  }

  @HandlesEvent(UserCreated, PostPublished, PostClapped)
  record(_event: object, ctx: ProjectionContext): void {
    const { changeset } = ctx;
    // One write per changeset (a transaction may not touch one item twice): on its first event.
    if (ctx.version !== changeset.fromVersion) return;
    ctx.write({
      Update: {
        TableName: this.table,
        Key: { projection: { S: HISTORY_PROJECTION }, changeset: { S: applicationKey(changeset.aggregateType, changeset.aggregateId, changeset.seq) } },
        UpdateExpression: 'SET #position = :position, aggregateType = :type, aggregateId = :id, seq = :seq ADD applied :one',
        ExpressionAttributeNames: { '#position': 'position' },
        ExpressionAttributeValues: {
          ':position': { N: String(ctx.position) },
          ':type': { S: changeset.aggregateType },
          ':id': { S: changeset.aggregateId },
          ':seq': { N: String(changeset.seq) },
          ':one': { N: '1' },
        },
      },
    });
  }
}

/** Creates the history table (keyed by projection and changeset) if it is missing. */
export async function createHistoryTable(client: DynamoDBClient, prefix: string): Promise<void> {
  const TableName = historyTable(prefix);
  try {
    await client.send(
      new CreateTableCommand({
        TableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'projection', AttributeType: 'S' },
          { AttributeName: 'changeset', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'projection', KeyType: 'HASH' },
          { AttributeName: 'changeset', KeyType: 'RANGE' },
        ],
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1 }, { TableName });
}
