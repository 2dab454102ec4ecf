import { type AttributeValue, type DynamoDBClient, type TransactWriteItem, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';

/** Items one `TransactWriteItems` may carry. */
const MAX_ITEMS = 100;
/**
 * The service allows 4 MB per transaction. The estimate (the UTF-8 bytes of the items' JSON: the service counts
 * bytes, and text outside ASCII takes 2 to 4 of them per character) runs above what it counts; this leaves room still.
 */
const MAX_BYTES = 3_900_000;

interface Member {
  readonly items: readonly TransactWriteItem[];
  /** One key per item (`table|key`): a transaction may not touch an item twice. */
  readonly keys: readonly string[];
  readonly resolve: (grouped: boolean) => void;
}

/** What grouping did so far: transactions sent for two commits or more, the commits they carried, and groups that failed. */
export interface CommitGroupStats {
  groups: number;
  grouped: number;
  fallbacks: number;
}

/**
 * Gathers the transactions several projections ask for in one turn of the event loop (they are woken by the
 * same feed batch, and apply it without I/O) and sends them as one `TransactWriteItems` when they fit: at most
 * 100 items and 4 MB, and no item twice. One request and one transaction instead of several: fewer requests,
 * and less time that DynamoDB (Local, above all: one queue) spends in transactions in front of other calls.
 *
 * A member never depends on the group for its outcome: when it came alone, or when the group's transaction
 * failed for any reason (one member's checkpoint condition, a refused write, a throttle, a lost reply), each
 * member is told to send its own transaction, which gets its own outcome. That is safe even when the group
 * did commit (a lost reply): every member's transaction is conditional on its checkpoint, so it is then
 * refused as fenced, and the projection reads its checkpoint again, as after any lost reply.
 */
export class CommitGroup {
  private pending: Member[] = [];
  private scheduled = false;
  readonly stats: CommitGroupStats = { groups: 0, grouped: 0, fallbacks: 0 };

  constructor(private readonly client: DynamoDBClient) {}

  /** True when the items committed as part of a group; false when the caller must send them itself. */
  join(items: readonly TransactWriteItem[], keys: readonly string[]): Promise<boolean> {
    return new Promise((resolve) => {
      this.pending.push({ items, keys, resolve });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const members = this.pending;
    this.pending = [];
    if (members.length === 1) return members[0]!.resolve(false); // alone: no size estimate needed
    for (const group of partition(members)) {
      if (group.length === 1) group[0]!.resolve(false);
      else void this.send(group);
    }
  }

  private async send(group: readonly Member[]): Promise<void> {
    try {
      await this.client.send(new TransactWriteItemsCommand({ TransactItems: group.flatMap((m) => m.items) }));
    } catch {
      this.stats.fallbacks++;
      for (const member of group) member.resolve(false);
      return;
    }
    this.stats.groups++;
    this.stats.grouped += group.length;
    for (const member of group) member.resolve(true);
  }
}

/** Names one item for a group's "no item twice" check: the table and its key, attributes in a fixed order. */
export function itemKey(table: string | undefined, key: Record<string, AttributeValue>): string {
  return `${table}|${JSON.stringify(Object.keys(key).sort().map((k) => [k, key[k]]))}`;
}

/** Members in arrival order, cut into groups that fit one transaction. */
export function partition<M extends Pick<Member, 'items' | 'keys'>>(members: readonly M[]): M[][] {
  const groups: M[][] = [];
  let current: M[] = [];
  let items = 0;
  let bytes = 0;
  let keys = new Set<string>();
  for (const member of members) {
    const size = Buffer.byteLength(JSON.stringify(member.items), 'utf8');
    const fits = items + member.items.length <= MAX_ITEMS && bytes + size <= MAX_BYTES && member.keys.every((k) => !keys.has(k));
    if (!fits && current.length > 0) {
      groups.push(current);
      current = [];
      items = 0;
      bytes = 0;
      keys = new Set();
    }
    current.push(member);
    items += member.items.length;
    bytes += size;
    for (const key of member.keys) keys.add(key);
  }
  if (current.length > 0) groups.push(current);
  return groups;
}
