import { Inject, Injectable } from '@nestjs/common';
import { InvalidEventStoreOptionsError } from '../errors/invalid-options.error.js';
import type { EventStoreRuntime } from '../nest/event-store-runtime.js';
import { EVENT_STORE_RUNTIME } from '../nest/tokens.js';
import { StoreOperations } from '../operations/store-operations.js';
import type { ProjectionManager, ProjectionStatus } from '../projections/projection-manager.js';
import type { Snapshot } from '../snapshots/snapshot-store.js';
import type { ChangesetRecord } from '../store/records.js';
import { type ChartLines, FeedSamples } from './feed-samples.js';

/** What the live endpoint answers: texts keyed by the page elements' `data-live` names, and the chart. */
export interface LiveView {
  readonly values: Record<string, string>;
  readonly chart: ChartLines;
}

/**
 * Reads for the pages, over the operations layer (streams, feed) and this node's `ProjectionManager`
 * (projections and their actions, fenced by their leases like any node's).
 */
@Injectable()
export class ExplorerData {
  readonly operations: StoreOperations;
  private readonly samples = new FeedSamples();

  constructor(@Inject(EVENT_STORE_RUNTIME) private readonly runtime: EventStoreRuntime) {
    if (!runtime.dynamodbClient) throw new InvalidEventStoreOptionsError('explorer', 'the explorer reads the DynamoDB tables: it has nothing to show with inMemory');
    this.operations = new StoreOperations({ client: runtime.dynamodbClient, tablePrefix: runtime.tablePrefix, actor: 'explorer' });
  }

  get projections(): ProjectionManager | undefined {
    return this.runtime.projections;
  }

  /** Every changeset of a stream, events included (those kept in S3 are fetched now). */
  async stream(aggregateType: string, aggregateId: string): Promise<ChangesetRecord[]> {
    const records: ChangesetRecord[] = [];
    for await (const record of this.runtime.store.readStream({ aggregateType, aggregateId })) records.push(record);
    return records;
  }

  /** The stream's snapshot that loads would use, or why there is none to show. */
  async snapshot(aggregateType: string, aggregateId: string): Promise<Snapshot | string> {
    const schemaVersion = this.runtime.snapshotSchemaVersion(aggregateType);
    if (schemaVersion === undefined || !this.runtime.snapshotStore) return `${aggregateType} takes no snapshots (or is not registered on this node)`;
    try {
      return (await this.runtime.snapshotStore.read({ aggregateType, aggregateId }, schemaVersion)) ?? `No snapshot of schema version ${schemaVersion} yet`;
    } catch (error) {
      return `Unreadable: ${error instanceof Error ? error.message : String(error)}`;
    }
  }

  async projectionStatuses(): Promise<ProjectionStatus[]> {
    const manager = this.runtime.projections;
    return manager ? Promise.all(manager.projectionNames.map((name) => manager.status(name))) : [];
  }

  /** The head, every projection's figures and the chart, recording a sample on the way. */
  async live(): Promise<LiveView & { head: number; statuses: ProjectionStatus[] }> {
    const [head, statuses] = await Promise.all([this.operations.feedHead(), this.projectionStatuses()]);
    this.samples.add({ at: Date.now(), head, lag: Math.max(0, ...statuses.map((s) => s.lagPositions)) });
    const values: Record<string, string> = { head: String(head) };
    for (const s of statuses) {
      for (const figures of [s, ...(s.shards ?? [])]) Object.assign(values, liveFigures(figures));
    }
    const chart = this.samples.lines();
    values['chart:maxRate'] = String(chart.maxRate);
    values['chart:maxLag'] = String(chart.maxLag);
    return { values, chart, head, statuses };
  }
}

/** The `data-live` key of a projection's figure, or of one feed shard's (`<name>#<shard>`) when it runs in several. */
export function liveKey(status: ProjectionStatus, field: string): string {
  return `p:${status.name}${status.shard === undefined ? '' : `#${status.shard}`}:${field}`;
}

function liveFigures(s: ProjectionStatus): Record<string, string> {
  return {
    [liveKey(s, 'position')]: s.shard === undefined ? String(s.position) : `${s.position}/${s.head}`,
    [liveKey(s, 'lag')]: `${s.lagPositions} (${s.lagSeconds.toFixed(1)} s)`,
    [liveKey(s, 'owner')]: s.owner ?? '—',
    [liveKey(s, 'state')]: stateOf(s),
  };
}

export function stateOf(status: ProjectionStatus): string {
  // A stopped position is one shard's: name the shard on a total over several.
  const stopped = status.shards?.find((s) => s.stoppedAt !== undefined);
  if (stopped) return `stopped (shard ${stopped.shard} at ${stopped.stoppedAt})`;
  if (status.stoppedAt !== undefined) return `stopped at ${status.stoppedAt}`;
  return status.lagPositions === 0 ? 'caught up' : 'catching up';
}
