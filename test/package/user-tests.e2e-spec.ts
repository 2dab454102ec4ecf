import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asPublished } from '../docs/docs-pages.js';
import { documentedBlock, documentedCommand, packLibrary, root, run } from './pack.js';

/**
 * docs/testing.md, followed as a new user does today: an empty ESM app installs the packed library with the
 * peers of docs/install.md, then the test tools of docs/testing.md with no versions pinned (so TypeScript is
 * whatever `npm install -D typescript` gives now: 7 or later), takes the page's jest config and example test,
 * and runs jest, which must find and pass both a `*.spec.ts` and a `*.e2e-spec.ts` file.
 */
// An e2e-tier file: the whole module in memory, the quickstart's handler through the command bus.
const E2E_SPEC = `
import { CommandBus, CqrsModule } from '@nestjs/cqrs';
import { Test } from '@nestjs/testing';
import { EventStoreModule } from 'nestjs-dynamodb-event-store';
import { CreateUser, CreateUserHandler, User } from './quickstart.js';

it('saves through the command bus', async () => {
  const moduleRef = await Test.createTestingModule({
    imports: [CqrsModule.forRoot(), EventStoreModule.forRoot({ inMemory: true }), EventStoreModule.forFeature([User])],
    providers: [CreateUserHandler],
  }).compile();
  const app = await moduleRef.init(); // no HTTP platform needed
  expect(await app.get(CommandBus).execute(new CreateUser('u1', 'Ada'))).toMatchObject({ aggregateId: 'u1', version: 1 });
  await app.close();
});
`;

describe('docs/testing.md in a new app', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'user-tests-'));
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs the page\'s jest setup and example with today\'s TypeScript', () => {
    const { tarball } = packLibrary(dir);
    const app = join(dir, 'app');
    mkdirSync(join(app, 'src'), { recursive: true });
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'new-app', private: true, type: 'module' }));
    // --ignore-scripts: the tools must work with every install script blocked (npm 11 asks before running them).
    const flags = ['--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'];
    const peers = documentedCommand('docs/install.md', 'npm install nestjs-dynamodb-event-store ');
    run('npm', ['install', ...flags, tarball, ...peers], app);
    run('npm', ['install', ...flags, ...documentedCommand('docs/testing.md', 'npm install ')], app);
    const typescript = JSON.parse(readFileSync(join(app, 'node_modules/typescript/package.json'), 'utf8')) as { version: string };
    expect(Number(typescript.version.split('.')[0])).toBeGreaterThanOrEqual(7);

    writeFileSync(join(app, 'tsconfig.json'), documentedBlock('docs/install.md', '{'));
    writeFileSync(join(app, 'jest.config.mjs'), documentedBlock('docs/testing.md', '// jest.config.mjs; run with: node --experimental-vm-modules node_modules/jest/bin/jest.js'));
    writeFileSync(join(app, 'src/quickstart.ts'), asPublished(readFileSync(join(root, 'test/readme/quickstart.ts'), 'utf8')));
    writeFileSync(join(app, 'src/testing.spec.ts'), asPublished(readFileSync(join(root, 'test/readme/testing.spec.ts'), 'utf8')));
    writeFileSync(join(app, 'src/users.e2e-spec.ts'), E2E_SPEC);

    run(join(app, 'node_modules/.bin/tsc'), ['--noEmit', '-p', '.'], app); // the docs' tsconfig compiles it all
    run(process.execPath, ['--experimental-vm-modules', 'node_modules/jest/bin/jest.js', '--json', '--outputFile=result.json'], app, { NODE_OPTIONS: '' });
    const result = JSON.parse(readFileSync(join(app, 'result.json'), 'utf8')) as { success: boolean; numPassedTests: number; testResults: Array<{ name: string; status: string }> };
    expect(result.testResults.map((file) => [file.name.slice(app.length + 1), file.status]).sort()).toEqual([
      ['src/testing.spec.ts', 'passed'],
      ['src/users.e2e-spec.ts', 'passed'],
    ]);
    expect(result.numPassedTests).toBe(4);
  }, 300_000);
});
