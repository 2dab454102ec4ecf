import type { HttpBenchSettings } from './settings.js';
import { round } from './stats.js';
import { MIX } from './workload.js';

/** The request kinds that commit one changeset each. */
const WRITES = ['createUser', 'createPost', 'clap'] as const;

interface KindCost {
  readonly perRequest: { readonly appCpuMs: number; readonly dynamoRequests?: number; readonly byOperation?: Record<string, number> };
}

/**
 * Requests that are not the save or what follows from it, per request of a kind (operation labels as counted
 * by the proxy, `<operation> <table>`):
 * - `Query changesets`: the request path's loads and existence checks (`posts.load`, `users.exists`); nothing
 *   after the save queries the changesets table (the feed reads the stream, the projections their views).
 * - `GetItem views` and `GetItem control` on `createUser` only: the bench's own view-lag probe,
 *   `GET /users/:id?after=token` for every `lagEvery`-th new user. It waits for the user view's checkpoint
 *   (`ProjectionManager.waitFor` polls `readCheckpoint`, a `GetItem` on the control table; no other write kind
 *   shows that operation) and then reads the view once. On a clap, `GetItem views` would be the user view
 *   projection's own read, which belongs to the save, so it is left in there.
 */
function requestPathAndProbe(kind: (typeof WRITES)[number], settings: HttpBenchSettings, byOperation: Record<string, number>): number {
  const loads = byOperation['Query changesets'] ?? 0;
  const probe = kind === 'createUser' ? Math.min(byOperation['GetItem views'] ?? 0, 1 / settings.lagEvery) + Math.max(0, byOperation['GetItem control'] ?? 0) : 0;
  return loads + probe;
}

/**
 * Issue 8, item 3: DynamoDB requests and app CPU per committed changeset, from the per-kind figures, the write
 * kinds weighted by their share of the mix (10% users, 5% posts, 45% claps).
 */
export function changesetCost(byKind: Record<string, unknown>, settings: HttpBenchSettings) {
  const weights = Object.fromEntries(MIX.filter(([kind]) => (WRITES as readonly string[]).includes(kind)));
  let weight = 0;
  let all = 0;
  let saveOnward = 0;
  let cpu = 0;
  const perKind: Record<string, { all: number; saveOnward: number; appCpuMs: number }> = {};
  for (const kind of WRITES) {
    const figures = (byKind[kind] as KindCost | undefined)?.perRequest;
    if (!figures?.byOperation || figures.dynamoRequests === undefined) continue;
    const kindAll = figures.dynamoRequests;
    const kindSave = kindAll - requestPathAndProbe(kind, settings, figures.byOperation);
    perKind[kind] = { all: round(kindAll), saveOnward: round(kindSave), appCpuMs: figures.appCpuMs };
    const w = weights[kind] ?? 0;
    weight += w;
    all += w * kindAll;
    saveOnward += w * kindSave;
    cpu += w * figures.appCpuMs;
  }
  if (!weight) return undefined;
  const report = {
    requestsPerChangeset: round(all / weight),
    saveOnwardRequestsPerChangeset: round(saveOnward / weight),
    goal: 2.5,
    appCpuMsPerSave: round(cpu / weight),
    weights,
    perKind,
    note: 'per committed changeset of the mix\'s write kinds, weighted by the mix; saveOnward leaves out the request path\'s loads and existence checks (Query changesets) and the bench\'s ?after= lag probe (GetItem views and GetItem control on createUser); CPU is the whole request\'s, net of idle',
  };
  console.log(
    `[http] cost per committed changeset (mix-weighted): ${report.requestsPerChangeset} DynamoDB requests in all, ` +
      `${report.saveOnwardRequestsPerChangeset} from the save onward (goal ≤ 2.5); app CPU ${report.appCpuMsPerSave} ms per save; ${JSON.stringify(perKind)}`,
  );
  return report;
}
