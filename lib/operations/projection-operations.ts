import { type AttributeValue, type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDbProjectionStore } from '../adapters/dynamodb/dynamodb-projection-store.js';
import { call } from '../adapters/dynamodb/storage-call.js';
import { CONTROL_ATTR as K } from '../adapters/dynamodb/table-layout.js';
import { ProjectionHeldError } from '../errors/projection-held.error.js';
import { UnknownProjectionError } from '../errors/unknown-projection.error.js';
import { LeasedCheckpoint } from '../projections/leased-checkpoint.js';
import { type ParkedActionOutcome, resumeStopped, skipStopped } from '../projections/parked-actions.js';
import { type ParkedChangeset, projectionLeaseName } from '../projections/projection.port.js';

const LEASE_PREFIX = projectionLeaseName('');
/** How long an operation holds a projection's lease; it releases it as soon as it is done. */
const OPERATION_LEASE_MS = 30_000;

/** A projection's checkpoint and lease, as stored. */
export interface StoredProjectionStatus {
  readonly name: string;
  readonly position: number;
  readonly head: number;
  readonly lagPositions: number;
  readonly parked: readonly ParkedChangeset[];
  readonly parkedTotal: number;
  readonly stoppedAt?: number;
  /** Set from a rebuild mark until a node running the projection has cleared its read model. */
  readonly rebuilding?: boolean;
  /** The node holding the lease, while it is unexpired. */
  readonly owner?: string;
  /** With several feed shards: the shard of a per-shard status (absent on the total). */
  readonly shard?: number;
  /** With several feed shards: each shard's status (positions, heads, lags and parked counts above are their sums). */
  readonly shards?: readonly StoredProjectionStatus[];
}

/** A projection's shard checkpoints are named `<name>#<shard>` beside `<name>` (shard 0). */
const SHARD_SUFFIX = /#(\d+)$/;

/**
 * Projections seen from their checkpoints in the control table. Actions take the projection's lease first,
 * so they never race a running node: when a node holds it they change nothing (`ProjectionHeldError`).
 * Only checkpoints kept in the control table are covered (read models in DynamoDB); a SQL projection keeps
 * its checkpoint in its database and is operated through `ProjectionManager` on a node running it.
 */
export class ProjectionOperations {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly store: DynamoDbProjectionStore,
    /** The head of a feed shard. */
    private readonly head: (shard: number) => Promise<number>,
    private readonly actor: string,
  ) {}

  /** Names of the projections that have a checkpoint or a lease (sorted). */
  async names(): Promise<string[]> {
    const names: string[] = [];
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const request = startKey;
      const page = await call(`Scan ${this.store.tables.control}`, () =>
        this.client.send(
          new ScanCommand({
            TableName: this.store.tables.control,
            ProjectionExpression: '#name',
            FilterExpression: 'begins_with(#name, :prefix)',
            ExpressionAttributeNames: { '#name': K.name },
            ExpressionAttributeValues: { ':prefix': { S: LEASE_PREFIX } },
            ConsistentRead: true,
            ...(request ? { ExclusiveStartKey: request } : {}),
          }),
        ),
      );
      for (const item of page.Items ?? []) names.push(item[K.name]!.S!.slice(LEASE_PREFIX.length));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    this.shardNames = names;
    return [...new Set(names.map((n) => n.replace(SHARD_SUFFIX, '')))].sort();
  }

  /** Checkpoint names as last listed, shards included. */
  private shardNames: string[] = [];

  /** The checkpoint names of a projection's shards, shard 0 first (just the name when it runs unsharded). */
  private shardsOf(name: string): { name: string; shard: number }[] {
    const shards = this.shardNames.flatMap((n) => {
      const match = SHARD_SUFFIX.exec(n);
      return match && n.slice(0, match.index) === name ? [{ name: n, shard: Number(match[1]) }] : [];
    });
    return [{ name, shard: 0 }, ...shards.sort((a, b) => a.shard - b.shard)];
  }

  /** The status of one projection, or of every one. `UnknownProjectionError` (listing the known) for a name no checkpoint has. */
  async status(name?: string): Promise<StoredProjectionStatus[]> {
    const names = await this.known(name);
    return Promise.all(names.map((n) => this.projectionStatus(n)));
  }

  private async projectionStatus(name: string): Promise<StoredProjectionStatus> {
    const shards = this.shardsOf(name);
    const statuses = await Promise.all(shards.map(async (s) => this.statusOf(s.name, await this.head(s.shard))));
    if (shards.length === 1) return statuses[0]!;
    const sum = (pick: (s: StoredProjectionStatus) => number) => statuses.reduce((total, s) => total + pick(s), 0);
    const stopped = statuses.find((s) => s.stoppedAt !== undefined);
    const perShard = statuses.map((s, i) => ({ ...s, name, shard: shards[i]!.shard }));
    return {
      name,
      position: sum((s) => s.position),
      head: sum((s) => s.head),
      lagPositions: sum((s) => s.lagPositions),
      parked: statuses.flatMap((s) => s.parked),
      parkedTotal: sum((s) => s.parkedTotal),
      ...(stopped ? { stoppedAt: stopped.stoppedAt! } : {}),
      ...(statuses.some((s) => s.rebuilding) ? { rebuilding: true } : {}),
      ...(statuses[0]!.owner === undefined ? {} : { owner: statuses[0]!.owner }),
      shards: perShard,
    };
  }

  /**
   * Marks the projection for a rebuild: checkpoint 0, parked list emptied, `rebuilding` set. The next node
   * that runs it clears the read model (its `onRebuild`) before it replays the feed: the code that knows
   * the read model stays in the application.
   */
  rebuild(name: string): Promise<ParkedActionOutcome> {
    return this.eachShard(name, async (checkpoint) => ((await this.store.reset(checkpoint.lease)) === 'committed' ? 'done' : 'fenced'));
  }

  /** Lets a projection stopped on a parked changeset try it again when a node runs it next (every stopped shard). */
  retryParked(name: string): Promise<ParkedActionOutcome> {
    return this.eachShard(name, resumeStopped);
  }

  /** Moves a stopped projection past its parked changeset, recording who, when and `reason` in the entry. */
  skipParked(name: string, reason: string, by: string = this.actor): Promise<ParkedActionOutcome> {
    return this.eachShard(name, (checkpoint) => skipStopped(checkpoint, { by, reason }, Date.now()));
  }

  /**
   * Runs `action` on every shard of the projection, each under its own lease. Every lease is taken before the
   * first action, and all are held until the last is done: a node holding any shard makes the whole action
   * change nothing (`ProjectionHeldError`), and no node runs one shard of a rebuild while another is reset.
   * The first outcome other than `'not-stopped'` is the answer.
   */
  private async eachShard(name: string, action: (checkpoint: LeasedCheckpoint) => Promise<ParkedActionOutcome>): Promise<ParkedActionOutcome> {
    await this.known(name);
    const shards = this.shardsOf(name).map((s) => s.name);
    const run = async (held: LeasedCheckpoint[]): Promise<ParkedActionOutcome> => {
      if (held.length < shards.length) return this.withLease(shards[held.length]!, (checkpoint) => run([...held, checkpoint]));
      let outcome: ParkedActionOutcome = 'not-stopped';
      for (const checkpoint of held) {
        const own = await action(checkpoint);
        if (outcome === 'not-stopped') outcome = own;
      }
      return outcome;
    };
    return run([]);
  }

  private async known(name: string | undefined): Promise<string[]> {
    const names = await this.names();
    if (name !== undefined && !names.includes(name)) throw new UnknownProjectionError(name, names);
    return name === undefined ? names : [name];
  }

  private async statusOf(name: string, head: number): Promise<StoredProjectionStatus> {
    const [checkpoint, lease] = await Promise.all([this.store.readCheckpoint(name), this.store.readLease(projectionLeaseName(name))]);
    return {
      name,
      position: checkpoint.position,
      head,
      lagPositions: Math.max(0, head - checkpoint.position),
      parked: checkpoint.parked,
      parkedTotal: checkpoint.parkedTotal ?? checkpoint.parked.length,
      ...(checkpoint.stoppedAt === undefined ? {} : { stoppedAt: checkpoint.stoppedAt }),
      ...(checkpoint.rebuilding ? { rebuilding: true } : {}),
      ...(lease && lease.expiresAt > Date.now() ? { owner: lease.owner } : {}),
    };
  }

  /** Runs `action` holding the projection's lease, then releases it at once for the application's nodes. */
  private async withLease(name: string, action: (checkpoint: LeasedCheckpoint) => Promise<ParkedActionOutcome>): Promise<ParkedActionOutcome> {
    const checkpoint = new LeasedCheckpoint(this.store, name, this.actor, OPERATION_LEASE_MS, Date.now, () => undefined);
    if (!(await checkpoint.hold())) {
      const lease = await this.store.readLease(projectionLeaseName(name));
      throw new ProjectionHeldError(name, lease?.owner ?? '?', lease?.expiresAt ?? 0);
    }
    try {
      return await action(checkpoint);
    } finally {
      await checkpoint.release();
    }
  }
}
