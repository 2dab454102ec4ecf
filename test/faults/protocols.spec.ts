import { dynamoDbProtocol, s3Protocol, seededRandom } from '../support/faults/index.js';

const dynamo = (target: string, body: unknown) =>
  dynamoDbProtocol.describe('POST', '/', { 'x-amz-target': target }, Buffer.from(JSON.stringify(body)));
const s3 = (method: string, url: string, headers: Record<string, string> = {}) => s3Protocol.describe(method, url, headers, undefined);

describe('request descriptions', () => {
  it('DynamoDB: operation from X-Amz-Target, table from the body', () => {
    const put = dynamo('DynamoDB_20120810.PutItem', { TableName: 'p-changesets', Item: { TableName: { S: '"TableName":"x"' } } });
    expect([put.service, put.operation, put.resources]).toEqual(['dynamodb', 'PutItem', ['p-changesets']]);
    expect(dynamo('DynamoDB_20120810.ListTables', { Limit: 1 }).resources).toEqual([]);
  });

  it('DynamoDB: each transaction item with its action and table, in request order', () => {
    const request = dynamo('DynamoDB_20120810.TransactWriteItems', {
      TransactItems: [{ Update: { TableName: 'c' } }, { Put: { TableName: 'f' } }, { ConditionCheck: { TableName: 'c' } }, { Delete: { TableName: 'v' } }],
    });
    expect(request.items).toEqual([
      { action: 'UpdateItem', table: 'c' },
      { action: 'PutItem', table: 'f' },
      { action: 'ConditionCheckItem', table: 'c' },
      { action: 'DeleteItem', table: 'v' },
    ]);
    expect(request.resources).toEqual(['c', 'f', 'v']);
    expect(dynamo('DynamoDB_20120810.BatchGetItem', { RequestItems: { a: {}, b: {} } }).resources).toEqual(['a', 'b']);
  });

  it('DynamoDB Streams: the table from the stream ARN; GetRecords names none', () => {
    const arn = 'arn:aws:dynamodb:ddblocal:000000000000:table/p-changesets/stream/2024-01-01T00:00:00.000';
    const describe = dynamo('DynamoDBStreams_20120810.DescribeStream', { StreamArn: arn });
    expect([describe.service, describe.operation, describe.resources]).toEqual(['dynamodb-streams', 'DescribeStream', ['p-changesets']]);
    expect(dynamo('DynamoDBStreams_20120810.GetRecords', { ShardIterator: 'x' }).resources).toEqual([]);
  });

  it('S3: operation from method, path and query; bucket and key from the path', () => {
    expect(s3('PUT', '/b/k/with%20space?x-id=PutObject')).toMatchObject({ operation: 'PutObject', resources: ['b'], key: 'k/with space' });
    expect(s3('HEAD', '/b').operation).toBe('HeadBucket');
    expect(s3('PUT', '/b').operation).toBe('CreateBucket');
    expect(s3('GET', '/b?list-type=2&prefix=x').operation).toBe('ListObjectsV2');
    expect(s3('POST', '/b?delete').operation).toBe('DeleteObjects');
    expect(s3('HEAD', '/b/k').operation).toBe('HeadObject');
    expect(s3('GET', '/b/k').operation).toBe('GetObject');
    expect(s3('DELETE', '/b/k').operation).toBe('DeleteObject');
    expect(s3('PUT', '/b/k', { 'x-amz-copy-source': '/b/j' }).operation).toBe('CopyObject');
    expect(s3('GET', '/').operation).toBe('ListBuckets');
  });

  it('the seeded generator repeats itself for one seed and differs across seeds', () => {
    const draw = (seed: number) => Array.from({ length: 5 }, seededRandom(seed));
    expect(draw(3)).toEqual(draw(3));
    expect(draw(3)).not.toEqual(draw(4));
    expect(draw(3).every((n) => n >= 0 && n < 1)).toBe(true);
  });
});
