import type { CreateTableCommandInput, GlobalSecondaryIndex, KeySchemaElement, Projection } from '@aws-sdk/client-dynamodb';
import { type KeyAttribute, keyAttributes, type ReadModelIndex, type ReadModelTable } from '../../projections/read-model-tables.js';

/**
 * The CreateTable request of a declared read-model table: on-demand like the store's tables, so neither
 * `createTables: true` nor the CloudFormation template asks for capacity planning. Pure: the template is built
 * from it, so a created table and a deployed one cannot differ.
 */
export function readModelTableRequest(table: ReadModelTable, prefix: string): CreateTableCommandInput {
  const types = new Map(keyAttributes(table));
  const indexes = table.indexes ?? [];
  return {
    TableName: prefix + table.name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...types].map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType })),
    KeySchema: keySchema(table.key, table.sortKey),
    ...(indexes.length > 0 ? { GlobalSecondaryIndexes: indexes.map(globalIndex) } : {}),
  };
}

function keySchema(key: KeyAttribute, sortKey: KeyAttribute | undefined): KeySchemaElement[] {
  return [
    { AttributeName: Object.keys(key)[0]!, KeyType: 'HASH' },
    ...(sortKey ? [{ AttributeName: Object.keys(sortKey)[0]!, KeyType: 'RANGE' as const }] : []),
  ];
}

function globalIndex(index: ReadModelIndex): GlobalSecondaryIndex {
  const attributes = index.attributes ?? 'ALL';
  const projection: Projection =
    typeof attributes === 'string' ? { ProjectionType: attributes } : { ProjectionType: 'INCLUDE', NonKeyAttributes: [...attributes] };
  return { IndexName: index.name, KeySchema: keySchema(index.key, index.sortKey), Projection: projection };
}
