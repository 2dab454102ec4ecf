import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';

/** The front page and every topic page: what a reader of the repository or the package sees. */
export function docPages(): string[] {
  return ['README.md', ...readdirSync('docs').filter((name) => name.endsWith('.md')).map((name) => join('docs', name))];
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const heading = !fenced && /^#{1,6} (.*)$/.exec(line);
    if (heading) anchors.add(slug(heading[1]!));
  }
  return anchors;
}

/** Relative links (`[text](path#anchor)`) outside code, as the page states them. */
export function relativeLinks(markdown: string): string[] {
  const prose = markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]!).filter((target) => !/^[a-z]+:/i.test(target));
}

/** A link that does not resolve, with why; `undefined` when it does. */
export function brokenLink(page: string, target: string): string | undefined {
  const [path = '', anchor] = target.split('#');
  const file = path === '' ? page : normalize(join(dirname(page), path));
  if (!existsSync(file)) return `${page}: ${target} names a missing file`;
  if (anchor !== undefined && file.endsWith('.md') && !anchorsOf(readFileSync(file, 'utf8')).has(anchor)) {
    return `${page}: ${target} names a missing heading`;
  }
  return undefined;
}

/** The ```ts blocks of a page, also those indented in a list item (dedented). */
export function typeScriptBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^( *)```ts\n([\s\S]*?)^ *```$/gm)].map(([, indent = '', body = '']) =>
    body
      .split('\n')
      .map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line))
      .join('\n')
      .trim(),
  );
}

/** An example file as the docs show it: imported from the package and its subpaths, not from `lib/`. */
export function asPublished(source: string): string {
  return source
    .replace(/'(?:\.\.\/)+lib\/index\.js'/g, "'nestjs-dynamodb-event-store'")
    .replace(/'(?:\.\.\/)+lib\/([a-z-]+)\/index\.js'/g, "'nestjs-dynamodb-event-store/$1'");
}
