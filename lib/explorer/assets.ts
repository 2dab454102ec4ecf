/**
 * The page's one script, served from the mount path (the CSP allows no inline script). It writes data only
 * through `textContent` and `setAttribute('points')`, never as markup: a payload can never become code.
 * It confirms each action, sends it with the CSRF token, and polls `live.json` for the figures.
 */
export const EXPLORER_SCRIPT = `(() => {
  'use strict';
  const POLL_MS = 3000;
  const token = document.querySelector('meta[name="explorer-csrf"]')?.getAttribute('content') ?? '';
  const status = document.getElementById('action-result');
  async function poll() {
    try {
      const response = await fetch('live.json', { credentials: 'same-origin', headers: { accept: 'application/json' } });
      if (!response.ok) return;
      const live = await response.json();
      for (const element of document.querySelectorAll('[data-live]')) {
        const value = live.values[element.dataset.live];
        if (value !== undefined) element.textContent = String(value);
      }
      for (const line of document.querySelectorAll('polyline[data-chart]')) {
        line.setAttribute('points', String(live.chart[line.dataset.chart] ?? ''));
      }
      document.body.dataset.polled = String(Number(document.body.dataset.polled ?? 0) + 1);
    } catch {
      // The next poll tries again; a page left open must survive the app restarting.
    }
  }
  for (const form of document.querySelectorAll('form[data-confirm]')) {
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (!window.confirm(form.dataset.confirm)) return;
      const reason = form.elements.namedItem('reason');
      const response = await fetch(form.action, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json', accept: 'application/json', 'x-explorer-csrf': token },
        body: JSON.stringify(reason ? { reason: reason.value } : {}),
      });
      const answer = await response.json().catch(() => ({}));
      if (status) {
        status.textContent = response.ok ? 'Done: ' + String(answer.outcome) : 'Failed (' + response.status + '): ' + String(answer.message ?? '');
      }
      await poll();
    });
  }
  void poll();
  setInterval(poll, POLL_MS);
})();
`;

export const EXPLORER_STYLES = `body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #1f2328; }
nav { background: #24292f; color: #fff; padding: 8px 16px; display: flex; gap: 16px; align-items: baseline; }
nav a { color: #9ecbff; } nav .muted { color: #bbb; margin-left: auto; }
main { padding: 8px 16px; max-width: 1100px; }
table { border-collapse: collapse; margin: 8px 0; } th, td { border: 1px solid #d0d7de; padding: 3px 8px; text-align: left; vertical-align: top; }
pre { background: #f6f8fa; padding: 6px; margin: 4px 0; white-space: pre-wrap; word-break: break-all; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 6px 0; } dt { color: #57606a; } dd { margin: 0; }
section { border-top: 1px solid #d0d7de; margin-top: 12px; } article.event { margin-left: 16px; }
.muted { color: #57606a; } .type { color: #8250df; } .rate { color: #1f6feb; } .lag { color: #d1242f; }
form.search, .actions form { display: inline-flex; gap: 6px; margin: 4px 12px 4px 0; align-items: center; }
`;
