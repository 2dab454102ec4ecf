import { readFileSync } from 'node:fs';

/** What a row of the IAM table grants its actions on. */
export type ResourceKind = 'changesets' | 'aggregates' | 'feed' | 'control' | 'stream' | 'read-model' | 'bucket';

export const LIBRARY_TABLES = ['changesets', 'aggregates', 'feed', 'control'] as const;

/** One row of the "IAM actions" table of docs/storage.md. */
export interface DocumentedGrant {
  /** `dynamodb:PutItem`, `s3:ListBucket`… */
  readonly actions: readonly string[];
  readonly resources: readonly ResourceKind[];
  /** The row as written, for messages. */
  readonly row: string;
}

function resourcesOf(text: string, row: string): ResourceKind[] {
  if (/all four tables/i.test(text)) return [...LIBRARY_TABLES];
  const tables = [...text.matchAll(/<prefix>(changesets|aggregates|feed|control)\b/g)].map((match) => match[1] as ResourceKind);
  if (/stream/i.test(text)) return ['stream'];
  if (tables.length > 0) return tables;
  if (/read-model/i.test(text)) return ['read-model'];
  if (/bucket/i.test(text)) return ['bucket'];
  throw new Error(`docs/storage.md, IAM actions: cannot tell which resource this row grants on, so the check cannot use it: ${row}`);
}

/** Parses the table under `## IAM actions`; a row the check cannot read fails loudly rather than being skipped. */
export function parseIamTable(markdown: string): DocumentedGrant[] {
  const section = /^## IAM actions\s*$([\s\S]*?)(?=^## |(?![\s\S]))/m.exec(markdown)?.[1];
  if (!section) throw new Error('docs/storage.md has no "## IAM actions" section');
  const rows = section.split('\n').filter((line) => line.startsWith('|') && !/^\|\s*(action|-)/.test(line));
  if (rows.length === 0) throw new Error('docs/storage.md: the IAM actions table has no rows');
  return rows.map((row) => {
    const [, actionCell = '', resourceCell = ''] = row.split('|').map((cell) => cell.trim());
    const actions = [...actionCell.matchAll(/`((?:dynamodb|s3):[A-Za-z0-9]+)`/g)].map((match) => match[1]!);
    if (actions.length === 0) throw new Error(`docs/storage.md, IAM actions: a row names no action: ${row}`);
    return { actions, resources: resourcesOf(resourceCell, row), row };
  });
}

export function documentedGrants(path = 'docs/storage.md'): DocumentedGrant[] {
  return parseIamTable(readFileSync(path, 'utf8'));
}
