import { type AttributeValue, type DynamoDBClient, GetItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { parseChangesetItem } from '../../lib/adapters/dynamodb/item-parsers.js';
import { tableNames } from '../../lib/adapters/dynamodb/index.js';
import type { ChangesetRecord } from '../../lib/store/index.js';

type Item = Record<string, AttributeValue>;

/** Every item of a table, strongly consistent, all pages. */
export async function scan(client: DynamoDBClient, table: string): Promise<Item[]> {
  const items: Item[] = [];
  let start: Item | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: table, ConsistentRead: true, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Every committed changeset: the source of truth the views are checked against. */
export async function readChangesets(client: DynamoDBClient, prefix: string): Promise<ChangesetRecord[]> {
  const table = tableNames(prefix).changesets;
  return (await scan(client, table)).map((item) => parseChangesetItem(table, item));
}

/** One item of `<prefix>views`, with the `applied` counter the HTTP API does not show. */
export interface ViewItem {
  readonly name?: string;
  readonly title?: string;
  readonly authorId?: string;
  readonly claps: number;
  readonly applied: number;
  readonly outOfOrderClaps: number;
}

export async function readViews(client: DynamoDBClient, prefix: string): Promise<Map<string, ViewItem>> {
  const views = new Map<string, ViewItem>();
  for (const item of await scan(client, `${prefix}views`)) {
    views.set(item.pk!.S!, {
      ...(item.name?.S === undefined ? {} : { name: item.name.S }),
      ...(item.title?.S === undefined ? {} : { title: item.title.S }),
      ...(item.authorId?.S === undefined ? {} : { authorId: item.authorId.S }),
      claps: Number(item.claps?.N ?? 0),
      applied: Number(item.applied?.N ?? 0),
      outOfOrderClaps: Number(item.outOfOrderClaps?.N ?? 0),
    });
  }
  return views;
}

/** Who holds a lease in the control table (`sequencer`, `projection#<name>`), if it has not expired. */
export async function leaseOwner(client: DynamoDBClient, prefix: string, lease: string): Promise<string | undefined> {
  const { Item: item } = await client.send(
    new GetItemCommand({ TableName: tableNames(prefix).control, Key: { name: { S: lease } }, ConsistentRead: true }),
  );
  if (!item?.owner?.S || Number(item.expiresAt?.N ?? 0) <= Date.now()) return undefined;
  return item.owner.S;
}
