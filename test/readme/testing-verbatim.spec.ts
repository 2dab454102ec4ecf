import { readFileSync } from 'node:fs';

describe('docs/testing.md', () => {
  it('shows test/readme/testing.spec.ts verbatim', () => {
    const source = readFileSync('test/readme/testing.spec.ts', 'utf8')
      .replace("'../../lib/index.js'", "'nestjs-dynamodb-event-store'")
      .replace("'../../lib/testing/index.js'", "'nestjs-dynamodb-event-store/testing'")
      .trim();
    expect(readFileSync('docs/testing.md', 'utf8')).toContain(source);
  });
});
