import { escape } from '../http/svg-chart.js';

export interface ScalePoint {
  readonly shards: number;
  readonly changesetsPerSecond: number;
  readonly lagP99Ms: number;
}

const W = 780;
const H = 380;
const M = { left: 80, right: 30, top: 56, bottom: 60 };

/**
 * Sustained changesets per second against feed shards, one bar per K on a linear axis, with the ideal line
 * (K × the K=1 figure) dashed.
 */
export function scaleChart(title: string, subtitle: string, points: readonly ScalePoint[]): string {
  const base = points.find((p) => p.shards === 1)?.changesetsPerSecond ?? 0;
  const top = Math.max(1, ...points.map((p) => p.changesetsPerSecond), ...points.map((p) => base * p.shards)) * 1.1;
  const slot = (W - M.left - M.right) / points.length;
  const py = (y: number) => H - M.bottom - (y / top) * (H - M.top - M.bottom);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="12" y="22" font-size="14" font-weight="bold">${escape(title)}</text>`,
    `<text x="12" y="40" fill="#555">${escape(subtitle)}</text>`,
  ];
  const step = 10 ** Math.floor(Math.log10(top / 2));
  for (let y = 0; y <= top; y += step) {
    out.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${py(y)}" y2="${py(y)}" stroke="#eee"/>`);
    out.push(`<text x="${M.left - 6}" y="${py(y) + 4}" text-anchor="end">${y.toLocaleString('en-US')}</text>`);
  }
  points.forEach((p, i) => {
    const x = M.left + i * slot;
    const cx = x + slot / 2;
    out.push(`<rect x="${x + slot * 0.2}" y="${py(p.changesetsPerSecond)}" width="${slot * 0.6}" height="${py(0) - py(p.changesetsPerSecond)}" fill="#1f77b4"/>`);
    out.push(`<text x="${cx}" y="${py(p.changesetsPerSecond) - 20}" text-anchor="middle">${p.changesetsPerSecond.toLocaleString('en-US')}/s</text>`);
    out.push(`<text x="${cx}" y="${py(p.changesetsPerSecond) - 6}" text-anchor="middle" fill="#555">p99 ${Math.round(p.lagP99Ms)} ms</text>`);
    if (base > 0) out.push(`<line x1="${x + slot * 0.1}" x2="${x + slot * 0.9}" y1="${py(base * p.shards)}" y2="${py(base * p.shards)}" stroke="#c00" stroke-dasharray="6 4"/>`);
    out.push(`<text x="${cx}" y="${H - M.bottom + 18}" text-anchor="middle">K = ${p.shards}</text>`);
  });
  out.push(`<text x="${(M.left + W - M.right) / 2}" y="${H - 18}" text-anchor="middle">feed shards (dashed: K × the K = 1 rate)</text>`);
  out.push(`<text transform="translate(18 ${(M.top + H - M.bottom) / 2}) rotate(-90)" text-anchor="middle">changesets/s with feed lag p99 &lt; 1 s</text>`);
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
