import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** What the package tests share: packing the library as `npm publish` would, and reading the docs' lines. */
export const root = process.cwd();

export function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): string {
  return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_loglevel: 'error', ...env } });
}

export interface Packed {
  tarball: string;
  files: string[];
}

export function packLibrary(dir: string): Packed {
  // The test run has just compiled dist/; --ignore-scripts skips prepack's rebuild, which would rewrite files
  // that other test files are loading at the same time.
  const packed = JSON.parse(run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], root)) as Array<{ filename: string; files: Array<{ path: string }> }>;
  return { tarball: join(dir, packed[0]!.filename), files: packed[0]!.files.map((file) => file.path) };
}

/** The arguments of the first line of a docs page that starts with `prefix` (a shell command). */
export function documentedCommand(page: string, prefix: string): string[] {
  const line = readFileSync(join(root, page), 'utf8').split('\n').find((text) => text.startsWith(prefix));
  if (!line) throw new Error(`${page} has no line starting \`${prefix}\``);
  return line.slice(prefix.length).trim().split(/\s+/);
}

/** The package name of an install argument: `@nestjs/common@12` → `@nestjs/common`. */
export function packageName(argument: string): string {
  const at = argument.indexOf('@', 1);
  return at < 0 ? argument : argument.slice(0, at);
}

/** The fenced code block of a docs page whose first line is `firstLine`, as the page shows it. */
export function documentedBlock(page: string, firstLine: string): string {
  const text = readFileSync(join(root, page), 'utf8');
  const start = text.indexOf('\n' + firstLine + '\n');
  if (start < 0) throw new Error(`${page} has no code block starting \`${firstLine}\``);
  const end = text.indexOf('\n```', start);
  return text.slice(start + 1, end + 1);
}
