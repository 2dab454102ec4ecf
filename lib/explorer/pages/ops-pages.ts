import type { FeedEntry } from '../../feed/feed.port.js';
import type { ProjectionStatus } from '../../projections/projection-manager.js';
import { type ChartLines, CHART_HEIGHT, CHART_WIDTH } from '../feed-samples.js';
import { html, type SafeHtml } from '../html.js';
import { liveKey, stateOf } from '../explorer-data.js';
import { streamLink } from './layout.js';

/** Rate and lag over the last minutes, drawn here; the script moves the lines' points on each poll. */
export function chart(lines: ChartLines): SafeHtml {
  return html`<figure class="chart">
<svg id="feed-chart" viewBox="0 0 ${CHART_WIDTH} ${CHART_HEIGHT}" width="${CHART_WIDTH}" height="${CHART_HEIGHT}" role="img" aria-label="Feed rate and projection lag">
<rect x="0" y="0" width="${CHART_WIDTH}" height="${CHART_HEIGHT}" fill="#fafafa" stroke="#ddd"></rect>
<polyline data-chart="rate" fill="none" stroke="#1f6feb" stroke-width="2" points="${lines.rate}"></polyline>
<polyline data-chart="lag" fill="none" stroke="#d1242f" stroke-width="2" points="${lines.lag}"></polyline>
</svg>
<figcaption><span class="rate">feed rate</span> (max <span data-live="chart:maxRate">${lines.maxRate}</span> changesets/s) and
<span class="lag">largest projection lag</span> (max <span data-live="chart:maxLag">${lines.maxLag}</span> positions), sampled while the explorer is open</figcaption>
</figure>`;
}

export function feedPage(head: number, entries: readonly FeedEntry[], lines: ChartLines): SafeHtml {
  return html`<p>Head position: <strong data-live="head">${head}</strong></p>
${chart(lines)}
<h2>Recent positions</h2>
<table>
<thead><tr><th>Position</th><th>Stream</th><th>Changeset</th><th>Up to version</th><th>Changeset id</th></tr></thead>
<tbody>
${[...entries].reverse().map(
  (e) => html`<tr><td>${e.position}</td><td>${streamLink(e.aggregateType, e.aggregateId)}</td><td>${e.seq}</td><td>${e.toVersion}</td><td><code>${e.changesetId}</code></td></tr>
`,
)}
</tbody>
</table>`;
}

/** Each projection's figures and parked changesets, with the actions (each confirmed by the script first). */
export function projectionsPage(statuses: readonly ProjectionStatus[], csrfToken: string): SafeHtml {
  if (statuses.length === 0) return html`<p class="muted">This node runs no projection.</p>`;
  return html`<p id="action-result" class="muted" role="status"></p>${statuses.map((s) => projectionSection(s, csrfToken))}`;
}

function projectionSection(s: ProjectionStatus, csrfToken: string): SafeHtml {
  const base = `projections/${encodeURIComponent(s.name)}`;
  const key = (field: string) => liveKey(s, field);
  // With several feed shards, a stopped position is one shard's: the confirmations name the shard.
  const stopped = s.shards ? s.shards.filter((shard) => shard.stoppedAt !== undefined).map((shard) => `shard ${shard.shard} at ${shard.stoppedAt}`).join(', ') : `at position ${s.stoppedAt}`;
  return html`<section class="projection" data-projection="${s.name}">
<h2>${s.name}</h2>
<dl>
<dt>State</dt><dd data-live="${key('state')}">${stateOf(s)}</dd>
<dt>Lease owner</dt><dd data-live="${key('owner')}">${s.owner ?? '—'}</dd>
<dt>Position</dt><dd data-live="${key('position')}">${s.position}</dd>
<dt>Lag</dt><dd data-live="${key('lag')}">${s.lagPositions} (${s.lagSeconds.toFixed(1)} s)</dd>
<dt>Parked</dt><dd>${s.parkedTotal}</dd>
</dl>
${s.shards ? shardsTable(s.shards) : ''}${s.parked.length > 0 ? parkedTable(s) : ''}
<div class="actions">
${s.stoppedAt === undefined ? '' : html`<form method="post" action="${base}/retry" data-confirm="Retry the parked changeset ${stopped} of ${s.name}?">
<input type="hidden" name="_csrf" value="${csrfToken}"><button type="submit">Retry parked</button></form>
<form method="post" action="${base}/skip" data-confirm="Skip the changeset ${stopped} of ${s.name} without applying it?">
<input type="hidden" name="_csrf" value="${csrfToken}"><input name="reason" required placeholder="reason (recorded)"><button type="submit">Skip parked</button></form>`}
<form method="post" action="${base}/rebuild" data-confirm="Rebuild ${s.name} from the whole feed? Its read model is cleared first.">
<input type="hidden" name="_csrf" value="${csrfToken}"><button type="submit">Rebuild</button></form>
</div>
</section>
`;
}

/** One row per feed shard (its checkpoint `<name>#<shard>`), under the projection's total. */
function shardsTable(shards: readonly ProjectionStatus[]): SafeHtml {
  return html`<table class="shards">
<thead><tr><th>Shard</th><th>State</th><th>Lease owner</th><th>Position / head</th><th>Lag</th><th>Parked</th></tr></thead>
<tbody>
${shards.map(
  (s) => html`<tr data-shard="${s.shard}"><td>${s.shard}</td><td data-live="${liveKey(s, 'state')}">${stateOf(s)}</td><td data-live="${liveKey(s, 'owner')}">${s.owner ?? '—'}</td>
<td data-live="${liveKey(s, 'position')}">${s.position}/${s.head}</td><td data-live="${liveKey(s, 'lag')}">${s.lagPositions} (${s.lagSeconds.toFixed(1)} s)</td><td>${s.parkedTotal}</td></tr>
`,
)}
</tbody>
</table>`;
}

/** The parked changesets; with several feed shards each under its shard, whose position it is. */
function parkedTable(s: ProjectionStatus): SafeHtml {
  const rows = s.shards ? s.shards.flatMap((shard) => shard.parked.map((p) => ({ p, shard: shard.shard }))) : s.parked.map((p) => ({ p, shard: undefined }));
  const sharded = s.shards !== undefined;
  return html`<table class="parked">
<thead><tr>${sharded ? html`<th>Shard</th>` : ''}<th>Position</th><th>Stream</th><th>Changeset</th><th>Attempts</th><th>Parked</th><th>Error</th><th>Skipped</th></tr></thead>
<tbody>
${rows.map(
  ({ p, shard }) => html`<tr>${sharded ? html`<td>${shard}</td>` : ''}<td>${p.position}</td><td>${streamLink(p.aggregateType, p.aggregateId)}</td><td>${p.seq}</td><td>${p.attempts}</td><td>${p.parkedAt}</td>
<td><pre class="error">${p.error}</pre></td><td>${p.skipped ? `${p.skipped.by}, ${p.skipped.at}: ${p.skipped.reason}` : ''}</td></tr>
`,
)}
</tbody>
</table>`;
}
