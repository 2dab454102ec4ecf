import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { createSampleApp, type SampleAppConfig } from '../../sample-app/app.js';
import { testDatabaseUrl } from '../support/postgres-database.js';

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

/** The sample app config for the services the jest global setup started, with fresh tables and a fresh database. */
export async function testConfig(): Promise<SampleAppConfig> {
  return { ...awsConfig(), databaseUrl: await testDatabaseUrl() };
}

function awsConfig(): Omit<SampleAppConfig, 'databaseUrl'> {
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

/**
 * `overrides` change the config, e.g. a short `readTimeoutMs`, or the `tablePrefix` and `databaseUrl` to share
 * another app's tables.
 */
export async function startTestApp(overrides: Partial<SampleAppConfig> = {}): Promise<TestApp> {
  const config = { ...awsConfig(), databaseUrl: overrides.databaseUrl ?? (await testDatabaseUrl()), ...overrides };
  const app = await createSampleApp(config, { logger: ['error', 'warn'] });
  await app.init();
  return { app, http: () => request(app.getHttpServer()), close: () => app.close() };
}

/** What every write answers with 201. */
export interface Ack {
  readonly id: string;
  readonly version: number;
  readonly token: string;
}

export async function createUser(target: TestApp, name: string, extra: object = {}): Promise<Ack> {
  return (await target.http().post('/users').send({ name, ...extra }).expect(201)).body as Ack;
}

export async function publishPost(target: TestApp, authorId: string, title: string, extra: object = {}): Promise<Ack> {
  return (await target.http().post('/posts').send({ authorId, title, ...extra }).expect(201)).body as Ack;
}

/** A fresh app with one user ("Valid") and one post of theirs: what the validation suites send their bad input beside. */
export async function startAppWithUserAndPost(): Promise<{ target: TestApp; userId: string; postId: string; token: string }> {
  const target = await startTestApp();
  const { id: userId, token } = await createUser(target, 'Valid');
  const { id: postId } = await publishPost(target, userId, 'Valid');
  return { target, userId, postId, token };
}

export async function clap(target: TestApp, postId: string, userId: string, extra: object = {}): Promise<Ack> {
  return (await target.http().post(`/posts/${postId}/claps`).send({ userId, ...extra }).expect(201)).body as Ack;
}

/** GET with `?after=token`: must answer 200 at once with the view including that commit. */
export async function getAfter<T>(target: TestApp, path: string, token: string): Promise<T> {
  const response = await target.http().get(path).query({ after: token });
  if (response.status !== 200) throw new Error(`GET ${path}?after=… answered ${response.status} ${JSON.stringify(response.body)}`);
  return response.body as T;
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
