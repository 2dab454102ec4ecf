import { html, type SafeHtml } from '../html.js';

/**
 * Every page: links are relative (all pages sit one level below the mount path, so a global prefix or a
 * proxy's path need no configuration), the script and styles come from the same path (the CSP forbids
 * inline ones), and the CSRF token rides in a meta tag for the script's POSTs.
 */
export function layout(title: string, csrfToken: string, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="explorer-csrf" content="${csrfToken}">
<title>${title} · event store explorer</title>
<link rel="stylesheet" href="explorer.css">
<script src="explorer.js" defer></script>
</head>
<body>
<nav><strong>Event store explorer</strong> <a href="streams">Streams</a> <a href="feed">Feed</a> <a href="projections">Projections</a>
<span class="muted">feed head <span data-live="head">…</span></span></nav>
<main>
<h1>${title}</h1>
${body}
</main>
</body>
</html>
`.value;
}

/** A link to one stream's page. */
export function streamLink(aggregateType: string, aggregateId: string): SafeHtml {
  const query = new URLSearchParams({ type: aggregateType, id: aggregateId }).toString();
  return html`<a href="stream?${query}">${aggregateType} ${aggregateId}</a>`;
}

export function pretty(value: unknown): string {
  return JSON.stringify(value, null, 2) ?? 'undefined';
}
