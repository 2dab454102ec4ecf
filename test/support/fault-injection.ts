import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * Makes the next `count` calls of one DynamoDB operation reach the server, then lose the response:
 * the write commits but the caller sees an error. `where: 'outside-retries'` hands the error to the caller
 * (an unknown outcome); `'inside-retries'` throws a retryable 500 so the SDK itself sends the request again.
 * `matches` picks the calls to lose by their input (default: every call of the operation).
 */
export function loseResponses(
  client: DynamoDBClient,
  operation: string,
  count: number,
  where: 'outside-retries' | 'inside-retries',
  matches: (input: unknown) => boolean = () => true,
): { readonly lost: () => number } {
  let lost = 0;
  const name = `lose-${operation}-${Math.random()}`;
  const middleware: Parameters<DynamoDBClient['middlewareStack']['add']>[0] = (next, context) => async (args) => {
    const result = await next(args);
    if (context.commandName === `${operation}Command` && lost < count && matches(args.input)) {
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

/**
 * Holds back the reply of the next call of one DynamoDB operation: the request reaches the server and is
 * executed there, but the caller sees the reply only after `release()` (a reply delayed on the network, or a
 * process paused right after the read). `held` resolves once the reply has arrived and is being held.
 */
export function holdNextResponse(client: DynamoDBClient, operation: string): { readonly held: Promise<void>; release(): void } {
  let armed = true;
  const name = `hold-${operation}-${Math.random()}`;
  let onHeld!: () => void;
  let onRelease!: () => void;
  const held = new Promise<void>((resolve) => (onHeld = resolve));
  const released = new Promise<void>((resolve) => (onRelease = resolve));
  const middleware: Parameters<DynamoDBClient['middlewareStack']['add']>[0] = (next, context) => async (args) => {
    if (!armed || context.commandName !== `${operation}Command`) return next(args);
    armed = false;
    client.middlewareStack.remove(name);
    const result = await next(args);
    onHeld();
    await released;
    return result;
  };
  client.middlewareStack.add(middleware as never, { step: 'initialize', name });
  return { held, release: onRelease };
}
