import { type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { type AttributeValue } from '@aws-sdk/client-dynamodb';
import { tableNames } from '../../lib/adapters/dynamodb/index.js';
import type { ProjectionStatus } from '../../lib/index.js';
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
  const latest = new Map<string, ProjectionStatus>();
  let logged = started;
  for (;;) {
    if (Date.now() - logged >= 5000) {
      log(`soak: catching up: ${last}`);
      logged = Date.now();
    }
    const stored = await countChangesets(client, prefix);
    const manager = cluster.alive()[0]!.manager;
    // Each projection's last status that got through: with several feed shards one status takes a dozen
    // requests, so under the fault rate all of them rarely get through at once. Positions only grow.
    const failures: string[] = [];
    await Promise.all(
      projections.map(async (name) => {
        try {
          latest.set(name, await manager.status(name));
        } catch (error) {
          failures.push(String(error)); // a faulted request: ask again
        }
      }),
    );
    const statuses = [...latest.values()];
    const parked = statuses.find((s) => s.parkedTotal > 0 || s.stoppedAt !== undefined);
    if (parked) throw new Error(`projection ${parked.name} parked changesets: ${JSON.stringify(parked.parked.slice(0, 3))}`);
    last = `${stored} stored; ${statuses.map((s) => `${s.name} ${s.position}/${s.head}`).join(', ')}${failures.length ? `; status failed: ${failures[0]}` : ''}`;
    if (latest.size === projections.length && statuses.every((s) => s.head === stored && s.position === stored)) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`the feed and projections did not catch up in ${timeoutMs} ms (${last})`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
