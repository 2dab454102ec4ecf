import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';

/** The ```js blocks of docs/testing.md, keyed by the file name their first line gives (`// jest.config.mjs; …`). */
function shownFiles(): Map<string, string> {
  const page = readFileSync('docs/testing.md', 'utf8');
  const files = new Map<string, string>();
  for (const [, body = ''] of page.matchAll(/^```js\n([\s\S]*?)^```$/gm)) {
    const name = /^\/\/ ([\w.-]+\.mjs)/.exec(body)?.[1];
    if (name) files.set(name, body);
  }
  return files;
}

describe('docs/testing.md, the jest files it shows', () => {
  const dir = mkdtempSync(join(tmpdir(), 'docs-testing-'));
  const testing = pathToFileURL(resolve('dist/lib/testing/index.js')).href;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function write(name: string): string {
    const body = shownFiles().get(name);
    if (body === undefined) throw new Error(`docs/testing.md shows no ${name}`);
    const path = join(dir, name);
    writeFileSync(path, body.replace("'nestjs-dynamodb-event-store/testing'", `'${testing}'`));
    return path;
  }

  it('shows a jest config, a global setup and a global teardown that Node parses', () => {
    expect([...shownFiles().keys()].sort()).toEqual(['jest.config.mjs', 'jest.global-setup.mjs', 'jest.global-teardown.mjs']);
    for (const name of shownFiles().keys()) execFileSync(process.execPath, ['--check', write(name)]);
  });

  it('starts a DynamoDB Local with the global setup and stops it with the global teardown', async () => {
    const ours = process.env.TEST_DYNAMODB_ENDPOINT; // the setup sets it: give this worker's back afterwards
    const setup = (await import(pathToFileURL(write('jest.global-setup.mjs')).href)) as { default: () => Promise<void> };
    const teardown = (await import(pathToFileURL(write('jest.global-teardown.mjs')).href)) as { default: () => Promise<void> };
    try {
      await setup.default();
      const endpoint = process.env.TEST_DYNAMODB_ENDPOINT;
      expect(endpoint).not.toBe(ours);
      const client = new DynamoDBClient({
        endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        maxAttempts: 1,
      });
      try {
        await expect(client.send(new ListTablesCommand({}))).resolves.toHaveProperty('TableNames');
        await teardown.default();
        await expect(client.send(new ListTablesCommand({}))).rejects.toThrow();
      } finally {
        client.destroy();
      }
    } finally {
      process.env.TEST_DYNAMODB_ENDPOINT = ours;
    }
  });
});
