import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { readModelTableRequest } from '../adapters/dynamodb/read-model-table-request.js';
import { createTableRequests } from '../adapters/dynamodb/requests.js';
import { type TableNames, tableNames } from '../adapters/dynamodb/table-layout.js';
import { declaredTables } from '../projections/projection.decorator.js';

export interface CloudFormationOptions {
  /** Prefix of every table name, the same as the module's `dynamodb.tablePrefix`. Default `''`. */
  readonly tablePrefix?: string;
  /** Turn on point-in-time recovery (35 days of restorable history) on every table. Default `true`. */
  readonly pointInTimeRecovery?: boolean;
  /** `DeletionPolicy` and `UpdateReplacePolicy: Retain` on every table, so deleting the stack keeps the data. Default `true`. */
  readonly retain?: boolean;
  /** The template's `Description`. Default: names the library and the prefix. */
  readonly description?: string;
  /** `@Projection` classes whose declared read-model tables the template also holds (prefixed). Default: none. */
  readonly projections?: readonly Function[];
}

/** A CloudFormation template, as JSON-ready data. */
export interface CloudFormationTemplate {
  readonly AWSTemplateFormatVersion: '2010-09-09';
  readonly Description: string;
  readonly Resources: Record<string, CloudFormationResource>;
  readonly Outputs: Record<string, { readonly Description: string; readonly Value: unknown }>;
}

export interface CloudFormationResource {
  readonly Type: string;
  readonly DeletionPolicy?: 'Retain' | 'Delete';
  readonly UpdateReplacePolicy?: 'Retain' | 'Delete';
  readonly Properties: Record<string, unknown>;
}

/**
 * The store's tables, and the read-model tables `projections` declare, as a CloudFormation template. Built from `createTableRequests`, the very requests
 * `createTables: true` sends, so a deployed table and one the module creates cannot differ in keys,
 * indexes, stream or billing.
 */
export function cloudFormationTemplate(options: CloudFormationOptions = {}): CloudFormationTemplate {
  const prefix = options.tablePrefix ?? '';
  const tables = tableNames(prefix);
  const retain = options.retain ?? true;
  const resources: Record<string, CloudFormationResource> = {};
  const outputs: Record<string, { Description: string; Value: unknown }> = {};
  const readModels = declaredTables(options.projections ?? []).map((table) => ({ id: readModelId(table.name), request: readModelTableRequest(table, prefix) }));
  const requests = [...createTableRequests(tables).map((request) => ({ id: logicalId(tables, request.TableName!), request })), ...readModels];
  for (const { id, request } of requests) {
    if (resources[id]) throw new TypeError(`cloudFormationTemplate: tables ${request.TableName} and another one both map to the logical id ${id}; rename one`);
    resources[id] = {
      Type: 'AWS::DynamoDB::Table',
      ...(retain ? { DeletionPolicy: 'Retain' as const, UpdateReplacePolicy: 'Retain' as const } : {}),
      Properties: tableProperties(request, options.pointInTimeRecovery ?? true),
    };
    outputs[`${id}Name`] = { Description: `name of ${request.TableName}`, Value: { Ref: id } };
    if (request.StreamSpecification?.StreamEnabled) {
      outputs[`${id}StreamArn`] = { Description: `stream of ${request.TableName} (the sequencer reads it)`, Value: { 'Fn::GetAtt': [id, 'StreamArn'] } };
    }
  }
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: options.description ?? `nestjs-dynamodb-event-store tables (prefix "${prefix}")`,
    Resources: resources,
    Outputs: outputs,
  };
}

/** `changesets` → `ChangesetsTable`: named by the table's role, so the id stays when the prefix changes. */
function logicalId(tables: TableNames, tableName: string): string {
  const role = Object.entries(tables).find(([, name]) => name === tableName)?.[0] ?? tableName.replace(/[^A-Za-z0-9]/g, '');
  return `${role.charAt(0).toUpperCase()}${role.slice(1)}Table`;
}

/** A declared `views` → `ReadModelViewsTable`: apart from the store's ids, and the same whatever the prefix. */
function readModelId(name: string): string {
  const words = name.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return `ReadModel${words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('')}Table`;
}

/** CreateTable input → `AWS::DynamoDB::Table` properties (the two differ only in the stream and indexes' throughput). */
function tableProperties(request: CreateTableCommandInput, pointInTimeRecovery: boolean): Record<string, unknown> {
  const { TableName, BillingMode, AttributeDefinitions, KeySchema, StreamSpecification, GlobalSecondaryIndexes, LocalSecondaryIndexes, ...rest } = request;
  const unmapped = Object.keys(rest);
  // A new CreateTable field must be mapped here, not silently dropped from the deployed table.
  if (unmapped.length > 0) throw new TypeError(`cloudFormationTemplate: no mapping for CreateTable field(s) ${unmapped.join(', ')} of ${TableName}`);
  return {
    TableName,
    BillingMode,
    AttributeDefinitions,
    KeySchema,
    ...(GlobalSecondaryIndexes?.length ? { GlobalSecondaryIndexes: GlobalSecondaryIndexes.map(({ ProvisionedThroughput: _, ...index }) => index) } : {}),
    ...(LocalSecondaryIndexes?.length ? { LocalSecondaryIndexes } : {}),
    ...(StreamSpecification?.StreamEnabled ? { StreamSpecification: { StreamViewType: StreamSpecification.StreamViewType } } : {}),
    ...(pointInTimeRecovery ? { PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } } : {}),
  };
}
