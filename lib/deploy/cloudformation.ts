import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { createTableRequests } from '../adapters/dynamodb/requests.js';
import { type TableNames, tableNames } from '../adapters/dynamodb/table-layout.js';

export interface CloudFormationOptions {
  /** Prefix of every table name, the same as the module's `dynamodb.tablePrefix`. Default `''`. */
  readonly tablePrefix?: string;
  /** Turn on point-in-time recovery (35 days of restorable history) on every table. Default `true`. */
  readonly pointInTimeRecovery?: boolean;
  /** `DeletionPolicy` and `UpdateReplacePolicy: Retain` on every table, so deleting the stack keeps the data. Default `true`. */
  readonly retain?: boolean;
  /** The template's `Description`. Default: names the library and the prefix. */
  readonly description?: string;
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
 * The store's tables as a CloudFormation template. Built from `createTableRequests`, the very requests
 * `createTables: true` sends, so a deployed table and one the module creates cannot differ in keys,
 * indexes, stream or billing.
 */
export function cloudFormationTemplate(options: CloudFormationOptions = {}): CloudFormationTemplate {
  const prefix = options.tablePrefix ?? '';
  const tables = tableNames(prefix);
  const retain = options.retain ?? true;
  const resources: Record<string, CloudFormationResource> = {};
  const outputs: Record<string, { Description: string; Value: unknown }> = {};
  for (const request of createTableRequests(tables)) {
    const id = logicalId(tables, request.TableName!);
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
