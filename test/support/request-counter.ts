import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** Records the name of every DynamoDB request the client sends (SDK retries included), in order. */
export function countRequests(client: DynamoDBClient): { readonly sent: string[]; reset(): void } {
  const sent: string[] = [];
  const middleware: Parameters<DynamoDBClient['middlewareStack']['add']>[0] = (next, context) => async (args) => {
    sent.push(String(context.commandName).replace(/Command$/, ''));
    return next(args);
  };
  // 'finalizeRequest' runs once per HTTP attempt, so SDK-internal retries are counted too.
  client.middlewareStack.add(middleware as never, { step: 'finalizeRequest', name: `count-requests-${Math.random()}` });
  return { sent, reset: () => void sent.splice(0) };
}
