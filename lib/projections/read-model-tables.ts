/** A key attribute's DynamoDB type: string, number or binary. */
export type KeyAttributeType = 'S' | 'N' | 'B';

/** One key attribute, by name and type: `{ pk: 'S' }`. */
export type KeyAttribute = Readonly<Record<string, KeyAttributeType>>;

/** A global secondary index of a declared read-model table. */
export interface ReadModelIndex {
  readonly name: string;
  /** The index's partition key, e.g. `{ authorId: 'S' }`. */
  readonly key: KeyAttribute;
  /** The index's sort key, e.g. `{ publishedAt: 'S' }`. Default: none. */
  readonly sortKey?: KeyAttribute;
  /** Attributes the index holds: `'ALL'`, `'KEYS_ONLY'`, or the names of the non-key attributes to include. Default `'ALL'`. */
  readonly attributes?: 'ALL' | 'KEYS_ONLY' | readonly string[];
}

/**
 * A DynamoDB table a projection writes, declared so the store can create it (`createTables: true`), check it at
 * start-up, and put it in the CloudFormation template and the IAM policy. On-demand billing, no stream.
 */
export interface ReadModelTable {
  /** The name without the store's `dynamodb.tablePrefix`, which is added to it (as to the store's own tables). */
  readonly name: string;
  /** The partition key, e.g. `{ pk: 'S' }`. */
  readonly key: KeyAttribute;
  /** The sort key, e.g. `{ sk: 'S' }`. Default: none. */
  readonly sortKey?: KeyAttribute;
  /** Global secondary indexes. Default: none. */
  readonly indexes?: readonly ReadModelIndex[];
}

const NAME = /^[A-Za-z0-9_.-]{1,255}$/;
const TYPES: readonly string[] = ['S', 'N', 'B'];

/** Checks declarations once, where they are made; a mistake is a `TypeError` naming the projection and the table. */
export function checkReadModelTables(projection: string, tables: readonly ReadModelTable[]): void {
  const fail = (table: string, reason: string): never => {
    throw new TypeError(`@Projection(${JSON.stringify(projection)}): read-model table ${JSON.stringify(table)} ${reason}`);
  };
  const names = new Set<string>();
  for (const table of tables) {
    if (typeof table?.name !== 'string' || !NAME.test(table.name)) fail(String(table?.name), 'needs a name of 1-255 letters, digits, "_", "." or "-"');
    if (names.has(table.name)) fail(table.name, 'is declared twice');
    names.add(table.name);
    checkKey(table.key, 'key', (reason) => fail(table.name, reason));
    if (table.sortKey !== undefined) checkKey(table.sortKey, 'sortKey', (reason) => fail(table.name, reason));
    const indexes = new Set<string>();
    for (const index of table.indexes ?? []) {
      if (typeof index?.name !== 'string' || !/^[A-Za-z0-9_.-]{3,255}$/.test(index.name)) fail(table.name, `has an index named ${JSON.stringify(index?.name)} (3-255 letters, digits, "_", "." or "-")`);
      if (indexes.has(index.name)) fail(table.name, `declares index "${index.name}" twice`);
      indexes.add(index.name);
      checkKey(index.key, `index "${index.name}" key`, (reason) => fail(table.name, reason));
      if (index.sortKey !== undefined) checkKey(index.sortKey, `index "${index.name}" sortKey`, (reason) => fail(table.name, reason));
    }
    const types = new Map<string, KeyAttributeType>();
    for (const key of keyAttributes(table)) {
      const [name, type] = key;
      if (types.has(name) && types.get(name) !== type) fail(table.name, `gives attribute "${name}" two key types (${types.get(name)} and ${type})`);
      types.set(name, type);
    }
  }
}

function checkKey(key: KeyAttribute | undefined, what: string, fail: (reason: string) => never): void {
  const entries = Object.entries(key ?? {});
  if (entries.length !== 1) fail(`needs ${what} to name exactly one attribute, e.g. { pk: 'S' }`);
  const [name, type] = entries[0]!;
  if (name === '' || !TYPES.includes(type)) fail(`has ${what} { ${name}: ${JSON.stringify(type)} }: the type must be 'S', 'N' or 'B'`);
}

/** Every key attribute of the table and its indexes, with its type (an attribute may appear several times). */
export function keyAttributes(table: ReadModelTable): Array<[string, KeyAttributeType]> {
  const keys = [table.key, table.sortKey, ...(table.indexes ?? []).flatMap((index) => [index.key, index.sortKey])];
  return keys.flatMap((key) => Object.entries(key ?? {}));
}

/** Two declarations of one table (by two projections sharing it) must agree; `true` when they do. */
export function sameTable(a: ReadModelTable, b: ReadModelTable): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(table: ReadModelTable): unknown {
  const indexes = [...(table.indexes ?? [])].sort((x, y) => x.name.localeCompare(y.name));
  return [table.name, table.key, table.sortKey ?? null, indexes.map((i) => [i.name, i.key, i.sortKey ?? null, i.attributes ?? 'ALL'])];
}

/**
 * The tables of several projections, each once; a table two projections declare differently is a `TypeError`,
 * since only one of the two layouts could be created.
 */
export function distinctTables(declared: ReadonlyArray<{ readonly projection: string; readonly tables: readonly ReadModelTable[] }>): ReadModelTable[] {
  const byName = new Map<string, { projection: string; table: ReadModelTable }>();
  for (const { projection, tables } of declared) {
    for (const table of tables) {
      const seen = byName.get(table.name);
      if (seen && !sameTable(seen.table, table)) {
        throw new TypeError(`Projections "${seen.projection}" and "${projection}" declare read-model table "${table.name}" with different keys or indexes`);
      }
      if (!seen) byName.set(table.name, { projection, table });
    }
  }
  return [...byName.values()].map((entry) => entry.table);
}

/**
 * How a projection's `ctx` names tables: a declared name means the declared table (prefix added); any other
 * name is taken as the table's full name.
 */
export function tableResolver(tables: readonly ReadModelTable[], prefix: string): (table: string) => string {
  const declared = new Set(tables.map((t) => t.name));
  return (table) => (declared.has(table) ? prefix + table : table);
}
