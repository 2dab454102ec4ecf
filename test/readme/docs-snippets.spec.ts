import { readFileSync } from 'node:fs';
import { readmeSnippet } from './readme-source.js';

// Snippets of docs pages are files the tests compile (tsc builds test/): each page must show its file verbatim.
describe('docs pages show compiled files', () => {
  it.each([
    ['docs/install.md', 'test/readme/user-names.ts'],
    ['docs/testing.md', 'test/readme/testing.spec.ts'],
  ])('%s shows %s', (page, file) => {
    expect(readFileSync(page, 'utf8')).toContain(readmeSnippet(file));
  });
});
