import { isEventStoreError } from '../errors/event-store.error.js';

/** Exit codes: 1 an operation failed, 2 a wrong command line or unknown projection, 3 the projection is held elsewhere. */
export function explain(error: unknown, endpoint: string | undefined): { message: string; exitCode: number } {
  const names = causes(error).map((e) => (e as { name?: string; code?: string }).name ?? '');
  const codes = causes(error).map((e) => (e as { code?: string }).code ?? '');
  if (names.includes('CredentialsProviderError')) {
    return { message: 'No AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE (any source of the standard credentials chain).', exitCode: 1 };
  }
  if (codes.some((c) => ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH'].includes(c))) {
    return { message: `Cannot reach DynamoDB${endpoint ? ` at ${endpoint}` : ''} (${codes.find((c) => c.startsWith('E'))}): check --endpoint / AWS_ENDPOINT_URL_DYNAMODB and --region / AWS_REGION.`, exitCode: 1 };
  }
  if (isEventStoreError(error)) {
    const exitCode = error.code === 'UNKNOWN_PROJECTION' ? 2 : error.code === 'PROJECTION_HELD' ? 3 : 1;
    return { message: error.message, exitCode };
  }
  return { message: error instanceof Error ? `${error.name}: ${error.message}` : String(error), exitCode: 1 };
}

/** The error and its chain of causes. */
function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let e = error; e !== undefined && e !== null && chain.length < 10; e = (e as { cause?: unknown }).cause) chain.push(e);
  return chain;
}
