import { chmod, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/**
 * Run as root, an embedded PostgreSQL runs as the system user `postgres`, which must pass through every folder
 * above its binaries and its data. A checkout in a private folder (mode 700, as `mktemp -d` makes them) stops
 * it with `EACCES`. So, as root only, every folder above `path` that lacks the others' search bit gets it:
 * names can then be followed, but nothing becomes readable or listable that was not.
 */
export async function letOtherUsersReach(path: string): Promise<void> {
  if (process.getuid?.() !== 0) return;
  for (let dir = dirname(resolve(path)); ; dir = dirname(dir)) {
    const { mode } = await stat(dir);
    if ((mode & 0o001) === 0) await chmod(dir, (mode & 0o7777) | 0o001);
    if (dirname(dir) === dir) return;
  }
}
