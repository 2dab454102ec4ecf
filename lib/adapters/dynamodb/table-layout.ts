/** Attribute names of the changesets table. Exported so table definitions and queries cannot drift. */
export const CHANGESET_ATTR = {
  stream: 'stream',
  seq: 'seq',
  changesetId: 'changesetId',
  aggregateType: 'aggregateType',
  aggregateId: 'aggregateId',
  fromVersion: 'fromVersion',
  toVersion: 'toVersion',
  committedAt: 'committedAt',
  events: 'events',
  dependencies: 'dependencies',
} as const;

/** Attribute names of the aggregates table. */
export const AGGREGATE_ATTR = {
  stream: 'stream',
  aggregateType: 'aggregateType',
  aggregateId: 'aggregateId',
  version: 'version',
  lastSeq: 'lastSeq',
  lastChangesetId: 'lastChangesetId',
  createdAt: 'createdAt',
  updatedAt: 'updatedAt',
} as const;

export interface TableNames {
  readonly changesets: string;
  readonly aggregates: string;
}

export function tableNames(prefix: string): TableNames {
  return { changesets: `${prefix}changesets`, aggregates: `${prefix}aggregates` };
}
