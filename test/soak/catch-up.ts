import { type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { type AttributeValue } from '@aws-sdk/client-dynamodb';
import { tableNames } from '../../lib/adapters/dynamodb/index.js';
import type { Cluster } from './cluster.js';

async function countChangesets(client: DynamoDBClient, prefix: string): Promise<number> {
  let count = 0;
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: tableNames(prefix).changesets, Select: 'COUNT', ConsistentRead: true, ExclusiveStartKey: start }));
    count += page.Count ?? 0;
    start = page.LastEvaluatedKey;
  } while (start);
  return count;
}

/**
 * Waits (bounded) until the feed holds every stored changeset and every projection applied up to the head,
 * as `ProjectionManager.status` on a live node reports it. Fails at once when a projection parked a changeset.
 * Returns how long it took, in ms.
 */
export async function waitForCatchUp(
  cluster: Cluster,
  client: DynamoDBClient,
  prefix: string,
  projections: readonly string[],
  timeoutMs: number,
  log: (line: string) => void,
): Promise<number> {
  const started = Date.now();
  let last = 'no status yet';
  let logged = started;
  for (;;) {
    if (Date.now() - logged >= 5000) {
      log(`soak: catching up: ${last}`);
      logged = Date.now();
    }
    const stored = await countChangesets(client, prefix);
    const manager = cluster.alive()[0]!.manager;
    try {
      const statuses = await Promise.all(projections.map((name) => manager.status(name)));
      const parked = statuses.find((s) => s.parkedTotal > 0 || s.stoppedAt !== undefined);
      if (parked) throw new Error(`projection ${parked.name} parked changesets: ${JSON.stringify(parked.parked.slice(0, 3))}`);
      last = `${stored} stored; ${statuses.map((s) => `${s.name} ${s.position}/${s.head}`).join(', ')}`;
      if (statuses.every((s) => s.head === stored && s.position === stored)) return Date.now() - started;
    } catch (error) {
      if ((error as Error).message.startsWith('projection ')) throw error;
      last = `status failed: ${String(error)}`; // a faulted request: ask again
    }
    if (Date.now() - started > timeoutMs) throw new Error(`the feed and projections did not catch up in ${timeoutMs} ms (${last})`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
