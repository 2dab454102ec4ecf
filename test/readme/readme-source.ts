import { readFileSync } from 'node:fs';
import { asPublished } from '../docs/docs-pages.js';

/** The example file as the docs show it: imported from the package and its subpaths, not from `lib/`. */
export function readmeSnippet(path: string): string {
  return asPublished(readFileSync(path, 'utf8')).trim();
}

export function readme(): string {
  return readFileSync('README.md', 'utf8');
}

/** A topic page under `docs/`, e.g. `docPage('configuration')`. */
export function docPage(name: string): string {
  return readFileSync(`docs/${name}.md`, 'utf8');
}
