import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import type { CloudFormationTemplate } from '../../lib/deploy/cloudformation.js';

/**
 * What CloudFormation would do with each `AWS::DynamoDB::Table`, as CreateTable input: the test's own
 * translation, written from the resource's documented properties (not from the library's builder), so a
 * template that deploys a different table than `createTables` makes fails the tests that use it.
 */
export function createTableInputs(template: CloudFormationTemplate): CreateTableCommandInput[] {
  return Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::DynamoDB::Table')
    .map(([id, resource]) => {
      const { StreamSpecification, PointInTimeRecoverySpecification, ...rest } = resource.Properties as Record<string, unknown> & {
        StreamSpecification?: { StreamViewType: string };
        PointInTimeRecoverySpecification?: unknown;
      };
      // DynamoDB Local has no point-in-time recovery; it changes backups, not the table's shape.
      void PointInTimeRecoverySpecification;
      const known = ['TableName', 'BillingMode', 'AttributeDefinitions', 'KeySchema', 'GlobalSecondaryIndexes', 'LocalSecondaryIndexes'];
      const unknown = Object.keys(rest).filter((key) => !known.includes(key));
      if (unknown.length > 0) throw new Error(`${id}: the test cannot translate ${unknown.join(', ')}`);
      return {
        ...(rest as unknown as CreateTableCommandInput),
        ...(StreamSpecification ? { StreamSpecification: { StreamEnabled: true, StreamViewType: StreamSpecification.StreamViewType } } : {}),
      } as CreateTableCommandInput;
    });
}
