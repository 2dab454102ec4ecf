/** One line of the chart: latency (ms) at each asked rate. */
export interface Series {
  readonly label: string;
  readonly color: string;
  readonly points: readonly { readonly x: number; readonly y: number }[];
}

const W = 780;
const H = 420;
const M = { left: 70, right: 200, top: 40, bottom: 55 };

export const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (ms: number) => (ms >= 1000 ? `${ms / 1000} s` : `${ms} ms`);

/**
 * Latency against rate, y on a log scale (latencies here span milliseconds to tens of seconds), with a dashed
 * line at `limitMs`. Plain SVG text, no plotting dependency.
 */
export function latencyChart(title: string, series: readonly Series[], limitMs: number, xLabel = 'asked rate (requests/s)'): string {
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  const ys = series.flatMap((s) => s.points.map((p) => Math.max(p.y, 0.1))).concat(limitMs);
  const xMax = Math.max(...xs, 1) * 1.05;
  const yMin = 10 ** Math.floor(Math.log10(Math.min(...ys)));
  const yMax = 10 ** Math.ceil(Math.log10(Math.max(...ys)));
  const px = (x: number) => M.left + (x / xMax) * (W - M.left - M.right);
  const py = (y: number) => H - M.bottom - ((Math.log10(Math.max(y, yMin)) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) * (H - M.top - M.bottom);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${M.left}" y="22" font-size="14" font-weight="bold">${escape(title)}</text>`,
  ];
  for (let y = yMin; y <= yMax; y *= 10) {
    out.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${py(y)}" y2="${py(y)}" stroke="#ddd"/>`);
    out.push(`<text x="${M.left - 6}" y="${py(y) + 4}" text-anchor="end">${fmt(y)}</text>`);
  }
  for (const x of [...new Set(xs)].sort((a, b) => a - b)) {
    out.push(`<line x1="${px(x)}" x2="${px(x)}" y1="${M.top}" y2="${H - M.bottom}" stroke="#eee"/>`);
    out.push(`<text x="${px(x)}" y="${H - M.bottom + 16}" text-anchor="middle">${x}</text>`);
  }
  out.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${py(limitMs)}" y2="${py(limitMs)}" stroke="#c00" stroke-dasharray="6 4"/>`);
  out.push(`<text x="${W - M.right + 6}" y="${py(limitMs) + 4}" fill="#c00">p99 limit ${fmt(limitMs)}</text>`);
  out.push(`<rect x="${M.left}" y="${M.top}" width="${W - M.left - M.right}" height="${H - M.top - M.bottom}" fill="none" stroke="#444"/>`);
  out.push(`<text x="${(M.left + W - M.right) / 2}" y="${H - 15}" text-anchor="middle">${escape(xLabel)}</text>`);
  out.push(`<text transform="translate(16 ${(M.top + H - M.bottom) / 2}) rotate(-90)" text-anchor="middle">latency from scheduled send (log)</text>`);
  series.forEach((s, i) => {
    const points = [...s.points].sort((a, b) => a.x - b.x).map((p) => `${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`);
    out.push(`<polyline points="${points.join(' ')}" fill="none" stroke="${s.color}" stroke-width="2"/>`);
    for (const point of points) {
      const [cx, cy] = point.split(',');
      out.push(`<circle cx="${cx}" cy="${cy}" r="3.5" fill="${s.color}"/>`);
    }
    const ly = M.top + 20 + i * 20;
    out.push(`<line x1="${W - M.right + 10}" x2="${W - M.right + 34}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2"/>`);
    out.push(`<text x="${W - M.right + 40}" y="${ly + 4}">${escape(s.label)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
