import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { anchorsOf, asPublished, brokenLink, docPages, relativeLinks, slug, typeScriptBlocks } from './docs-pages.js';

/** Files the tests compile (tsc -p tsconfig.json) that the docs quote from. */
const EXAMPLE_DIRS = ['test/readme', 'test/docs'];

/** Lines without their indentation: a fragment shown outside its class or function still matches. */
function unindented(source: string): string {
  return source
    .split('\n')
    .map((line) => line.trim())
    .join('\n');
}

function compiledExamples(): string[] {
  return EXAMPLE_DIRS.flatMap((dir) =>
    readdirSync(dir)
      .filter((name) => name.endsWith('.ts'))
      .map((name) => unindented(asPublished(readFileSync(join(dir, name), 'utf8')))),
  );
}

describe('the docs', () => {
  it('keep the README a front page: at most 350 lines', () => {
    expect(readFileSync('README.md', 'utf8').trimEnd().split('\n').length).toBeLessThanOrEqual(350);
  });

  it('link every topic page from the README', () => {
    const linked = new Set(relativeLinks(readFileSync('README.md', 'utf8')).map((target) => target.split('#')[0]));
    const unlinked = docPages()
      .filter((page) => page !== 'README.md')
      .filter((page) => !linked.has(page));
    expect(unlinked).toEqual([]);
  });

  it('have no broken relative links or anchors', () => {
    const broken = docPages().flatMap((page) =>
      relativeLinks(readFileSync(page, 'utf8')).flatMap((target) => brokenLink(page, target) ?? []),
    );
    expect(broken).toEqual([]);
  });

  it('show only TypeScript that a compiled example file holds verbatim', () => {
    const examples = compiledExamples();
    const uncompiled = docPages().flatMap((page) =>
      typeScriptBlocks(readFileSync(page, 'utf8'))
        .filter((block) => !examples.some((source) => source.includes(unindented(block))))
        .map((block) => `${page}: ${block.split('\n')[0]}`),
    );
    expect(uncompiled).toEqual([]);
  });
});

describe('the docs checks themselves', () => {
  it('slug headings as GitHub does', () => {
    expect(slug("Changing an event's shape: `upcast`")).toBe('changing-an-events-shape-upcast');
    expect(slug('Coming from `@nestjs/cqrs`')).toBe('coming-from-nestjscqrs');
    expect(anchorsOf('# A\n```\n# not a heading\n```\n## B c')).toEqual(new Set(['a', 'b-c']));
  });

  it('find links outside code only, and report a missing anchor', () => {
    expect(relativeLinks('[a](docs/x.md#y) `[b](z.md)` [c](https://e.org)')).toEqual(['docs/x.md#y']);
    expect(brokenLink('README.md', 'docs/feed.md#no-such-heading')).toMatch(/missing heading/);
    expect(brokenLink('README.md', 'docs/nope.md')).toMatch(/missing file/);
  });

  it('read TypeScript blocks and rewrite lib imports to the package', () => {
    expect(typeScriptBlocks('x\n```ts\nconst a = 1;\n```\n```bash\nls\n```')).toEqual(['const a = 1;']);
    expect(typeScriptBlocks('- item:\n\n  ```ts\n  f(1);\n    g(2);\n  ```\n')).toEqual(['f(1);\n  g(2);']);
    expect(asPublished("from '../../lib/index.js'; from '../../lib/testing/index.js'")).toBe(
      "from 'nestjs-dynamodb-event-store'; from 'nestjs-dynamodb-event-store/testing'",
    );
  });
});
