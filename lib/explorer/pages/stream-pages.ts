import type { StreamSummary } from '../../operations/store-operations.js';
import type { Snapshot } from '../../snapshots/snapshot-store.js';
import type { ChangesetRecord, StoredEvent } from '../../store/records.js';
import { html, type SafeHtml } from '../html.js';
import { pretty, streamLink } from './layout.js';

/** The search form and the recently updated aggregates (of one type when `type` is given). */
export function streamsPage(query: { type?: string }, streams: readonly StreamSummary[], complete: boolean): SafeHtml {
  return html`<form method="get" action="stream" class="search">
<label>Type <input name="type" required value="${query.type ?? ''}"></label>
<label>Id <input name="id" required></label>
<button type="submit">Open stream</button>
</form>
<form method="get" action="streams" class="search">
<label>Recent of type <input name="type" value="${query.type ?? ''}"></label>
<button type="submit">List</button>
</form>
<table>
<thead><tr><th>Stream</th><th>Version</th><th>Feed position</th><th>Updated</th></tr></thead>
<tbody>
${streams.map(
  (s) => html`<tr><td>${streamLink(s.aggregateType, s.aggregateId)}</td><td>${s.version}</td><td>${s.position ?? '—'}</td><td>${s.updatedAt ?? '—'}</td></tr>
`,
)}
</tbody>
</table>
${streams.length === 0 ? html`<p class="muted">No aggregates found.</p>` : ''}
${complete ? '' : html`<p class="muted">The aggregates table is large: only part of it was scanned.</p>`}`;
}

/** One stream: its snapshot, then each changeset (events kept in S3 already fetched) with its events. */
export function streamPage(aggregateType: string, aggregateId: string, changesets: readonly ChangesetRecord[], snapshot: Snapshot | string): SafeHtml {
  if (changesets.length === 0) return html`<p>No changesets for ${aggregateType} <code class="id">${aggregateId}</code>.</p>`;
  const last = changesets.at(-1)!;
  return html`<p>${aggregateType} <code class="id">${aggregateId}</code>: version ${last.toVersion}, ${changesets.length} changesets.</p>
${snapshotSection(snapshot)}
${changesets.map(changesetSection)}`;
}

function snapshotSection(snapshot: Snapshot | string): SafeHtml {
  if (typeof snapshot === 'string') return html`<section class="snapshot"><h2>Snapshot</h2><p class="muted">${snapshot}</p></section>`;
  return html`<section class="snapshot">
<h2>Snapshot at version ${snapshot.version}</h2>
<dl>
<dt>Schema version</dt><dd>${snapshot.schemaVersion}</dd>
<dt>Changeset</dt><dd>${snapshot.seq} (<code>${snapshot.changesetId}</code>), committed ${snapshot.committedAt}</dd>
</dl>
<pre class="payload">${pretty(snapshot.state)}</pre>
</section>
`;
}

function changesetSection(c: ChangesetRecord): SafeHtml {
  return html`<section class="changeset">
<h2>Changeset ${c.seq}: versions ${c.fromVersion}–${c.toVersion}</h2>
<dl>
<dt>Committed</dt><dd>${c.committedAt}</dd>
<dt>Changeset id</dt><dd><code>${c.changesetId}</code></dd>
${c.dependencies.length > 0 ? html`<dt>Depends on</dt><dd>${c.dependencies.map((d) => html`${streamLink(d.aggregateType, d.aggregateId)} v${d.version} `)}</dd>` : ''}
</dl>
${c.events.map((event, index) => eventBlock(event, c.fromVersion + index))}
</section>
`;
}

function eventBlock(event: StoredEvent, version: number): SafeHtml {
  return html`<article class="event">
<h3>v${version} <span class="type">${event.type}</span></h3>
<dl>
<dt>Occurred</dt><dd>${event.occurredAt}</dd>
<dt>Event id</dt><dd><code>${event.eventId}</code></dd>
<dt>Correlation</dt><dd><code>${event.correlationId ?? '—'}</code></dd>
<dt>Causation</dt><dd><code>${event.causationId ?? '—'}</code></dd>
${event.metadata ? html`<dt>Metadata</dt><dd><pre>${pretty(event.metadata)}</pre></dd>` : ''}
</dl>
<pre class="payload">${pretty(event.data)}</pre>
</article>
`;
}
