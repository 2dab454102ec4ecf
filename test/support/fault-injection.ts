import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * Makes the next `count` calls of one DynamoDB operation reach the server, then lose the response:
 * the write commits but the caller sees an error. `where: 'outside-retries'` hands the error to the caller
 * (an unknown outcome); `'inside-retries'` throws a retryable 500 so the SDK itself sends the request again.
 */
export function loseResponses(
  client: DynamoDBClient,
  operation: string,
  count: number,
  where: 'outside-retries' | 'inside-retries',
): { readonly lost: () => number } {
  let lost = 0;
  const name = `lose-${operation}-${Math.random()}`;
  const middleware: Parameters<DynamoDBClient['middlewareStack']['add']>[0] = (next, context) => async (args) => {
    const result = await next(args);
    if (context.commandName === `${operation}Command` && lost < count) {
      lost++;
      const error = new Error(`injected: response of ${operation} lost after it reached the server`);
      if (where === 'inside-retries') {
        Object.assign(error, { name: 'InternalServerError', $fault: 'server', $metadata: { httpStatusCode: 500 } });
      } else {
        error.name = 'TimeoutError';
      }
      throw error;
    }
      return result;
    };
  if (where === 'outside-retries') client.middlewareStack.add(middleware as never, { step: 'initialize', name });
  else client.middlewareStack.add(middleware as never, { step: 'deserialize', name });
  return { lost: () => lost };
}
