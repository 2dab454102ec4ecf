import { readFileSync } from 'node:fs';

/** The example file as the README shows it: imported from the package, not from `lib/`. */
export function readmeSnippet(path: string): string {
  return readFileSync(path, 'utf8').replace("'../../lib/index.js'", "'nestjs-dynamodb-event-store'").trim();
}

export function readme(): string {
  return readFileSync('README.md', 'utf8');
}
