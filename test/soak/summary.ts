import type { SoakResult } from './soak.js';

/** The run in a few lines: what was attempted and injected, what happened, and what the checker proved. */
export function summarize(r: SoakResult): string[] {
  const c = r.check.counts;
  const p = r.check.problems;
  const injected = Object.values(r.faults.byKind).reduce((sum, n) => sum + n, 0);
  const percent = (n: number, of: number) => `${((100 * n) / Math.max(1, of)).toFixed(1)}%`;
  const reads = Object.values(r.faults.byKindAndOperation).reduce((sum, ops) => sum + (ops?.['GetRecords'] ?? 0) + (ops?.['Query'] ?? 0), 0);
  const pauses = r.chaos.filter((e) => e.kind === 'pause');
  const kills = r.chaos.filter((e) => e.kind === 'kill');
  return [
    `seed ${r.seed} (replay with SOAK_SEED=${r.seed}); load ${r.seconds.load.toFixed(1)} s, catch-up ${r.seconds.catchUp.toFixed(1)} s, total ${r.seconds.total.toFixed(1)} s`,
    `attempts ${c.attempts}: acknowledged ${c.acked}, conflicts ${c.failed}, unknown outcomes ${c.unknown}; ${c.decisions} decisions, ${c.ackedAfterUnknown} acknowledged on a retry after an unknown outcome, ${c.unknownCommitted} given up as unknown but committed, ${c.unknownNotCommitted} not committed`,
    `commands ${r.workload.commands}; errors ${JSON.stringify(r.workload.errors)}`,
    `requests ${r.faults.requests}, faults injected ${injected} (${percent(injected, r.faults.requests)}): ${Object.entries(r.faults.byKind).map(([kind, n]) => `${kind} ${n}`).join(', ')}; ${reads} of them on GetRecords and Query`,
    `pauses ${pauses.length}: ${pauses.map((e) => `${e.node} (${e.role}) ${e.ms} ms, ${e.heldRequests} requests held, leases taken over: ${e.takenOver?.join(' ') || 'none'}`).join('; ')}`,
    `crashes ${kills.length}: ${kills.map((e) => `${e.node} (${e.role}) replaced by ${e.replacement}`).join('; ')}`,
    `checked: ${c.storedChangesets} changesets (${c.storedEvents} events), feed head ${c.feedHead} over ${c.feedShards} shard(s) (${c.feedHeads.join(' + ')}), ${c.dependenciesChecked} dependencies, ${c.applicationsChecked} recorded applications, ${c.sqlApplicationsChecked} SQL applications, ${c.viewsChecked} views, ${c.pointersChecked} S3 pointers (${c.objectsSwept} orphans swept)`,
    `lost ${p.lost}, duplicated ${p.duplicated}, out-of-order ${p.outOfOrder}, gaps ${p.gaps}, phantom ${p.phantom}, version errors ${p.versions}, projection errors ${p.projections}, SQL projection errors ${p.sql}, view errors ${p.views}, object errors ${p.objects}, unexpected errors ${r.workload.unexpected.length}`,
  ];
}
