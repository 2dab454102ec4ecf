import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { createSampleApp, type SampleAppConfig } from '../../sample-app/app.js';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

export function testEnv(name: 'TEST_DYNAMODB_ENDPOINT' | 'TEST_S3_ENDPOINT' | 'TEST_S3_BUCKET'): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests with \`npm test\` (jest global setup starts the services)`);
  return value;
}

/** A table prefix no other test uses. */
export function uniquePrefix(): string {
  return `sa-${randomUUID().slice(0, 8)}-`;
}

/** The sample app config for the services the jest global setup started, with fresh tables. */
export function testConfig(): SampleAppConfig {
  return {
    dynamodb: { endpoint: testEnv('TEST_DYNAMODB_ENDPOINT'), region: 'us-east-1', credentials },
    s3: { endpoint: testEnv('TEST_S3_ENDPOINT'), region: 'us-east-1', credentials, forcePathStyle: true },
    bucket: testEnv('TEST_S3_BUCKET'),
    tablePrefix: uniquePrefix(),
  };
}

export interface TestApp {
  readonly app: INestApplication;
  http(): ReturnType<typeof request>;
  close(): Promise<void>;
}

export async function startTestApp(): Promise<TestApp> {
  const app = await createSampleApp(testConfig(), { logger: ['error', 'warn'] });
  await app.init();
  return { app, http: () => request(app.getHttpServer()), close: () => app.close() };
}

/** Calls `probe` until it returns a value (not undefined), or fails after `timeoutMs`. */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  what: string | (() => string),
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Polls a GET until it answers 200 with a body matching `accept`, and returns that body. */
export function eventuallyGet<T>(
  target: TestApp,
  path: string,
  accept: (body: T) => boolean = () => true,
): Promise<T> {
  let last = 'no answer yet';
  return eventually(async () => {
    const response = await target.http().get(path);
    if (response.status !== 200 && response.status !== 404) throw new Error(`GET ${path} answered ${response.status}`);
    last = `${response.status} ${JSON.stringify(response.body)}`;
    return response.status === 200 && accept(response.body as T) ? (response.body as T) : undefined;
  }, () => `GET ${path} to match (last answer: ${last})`);
}
