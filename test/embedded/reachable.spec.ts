import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { letOtherUsersReach } from '../../lib/embedded/reachable.js';

describe('letOtherUsersReach (an embedded PostgreSQL run as root must reach its binaries and data)', () => {
  const top = mkdtempSync(join(tmpdir(), 'reach-')); // 0700, as mktemp -d makes a CI checkout's folder
  afterAll(() => rmSync(top, { recursive: true, force: true }));

  it('gives every folder above a path the others’ search bit as root, and nothing more; changes nothing otherwise', async () => {
    const inner = join(top, 'private', 'node_modules');
    mkdirSync(inner, { recursive: true, mode: 0o700 });
    const file = join(inner, 'index.js');
    writeFileSync(file, '', { mode: 0o600 });
    await letOtherUsersReach(file);
    const root = process.getuid?.() === 0;
    for (const dir of [top, join(top, 'private'), inner]) expect(statSync(dir).mode & 0o777).toBe(root ? 0o701 : 0o700);
    expect(statSync(file).mode & 0o777).toBe(0o600); // the file itself is not touched
  });
});
