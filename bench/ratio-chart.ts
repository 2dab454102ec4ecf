import type { Figure } from './current-figures.js';
import { escape } from './http/svg-chart.js';

const W = 900;
const ROW = 24;
const M = { left: 420, right: 70, top: 58, bottom: 48 };
const COLORS: Record<string, string> = { save: '#1f77b4', load: '#2ca02c', snapshot: '#9467bd', s3: '#ff7f0e', projection: '#d62728', explorer: '#8c564b' };

/**
 * Horizontal bars of each figure's time ÷ its baseline's, on one linear axis with a line at 1 (as fast as the
 * baseline): the ratios, unlike the absolute rates, hold from one run and machine to the next. Plain SVG text.
 */
export function ratioChart(title: string, subtitle: string, figures: readonly Figure[]): string {
  const height = M.top + figures.length * ROW + M.bottom;
  const xMax = Math.max(1.5, Math.ceil(Math.max(...figures.map((f) => f.time)) * 4) / 4);
  const px = (x: number) => M.left + (x / xMax) * (W - M.left - M.right);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${height}" fill="white"/>`,
    `<text x="12" y="22" font-size="14" font-weight="bold">${escape(title)}</text>`,
    `<text x="12" y="40" fill="#555">${escape(subtitle)}</text>`,
  ];
  const bottom = M.top + figures.length * ROW;
  for (let x = 0; x <= xMax + 1e-9; x += 0.25) {
    out.push(`<line x1="${px(x)}" x2="${px(x)}" y1="${M.top}" y2="${bottom}" stroke="${x === 1 ? '#c00' : '#eee'}"${x === 1 ? ' stroke-dasharray="6 4"' : ''}/>`);
    if (Number.isInteger(x * 2)) out.push(`<text x="${px(x)}" y="${bottom + 16}" text-anchor="middle">${x}</text>`);
  }
  out.push(`<text x="${(M.left + W - M.right) / 2}" y="${bottom + 36}" text-anchor="middle">time ÷ baseline's time (lower is better; dashed: as fast as the baseline)</text>`);
  figures.forEach((f, i) => {
    const y = M.top + i * ROW;
    out.push(`<text x="${M.left - 8}" y="${y + ROW / 2 + 4}" text-anchor="end">${escape(f.label)}</text>`);
    out.push(`<rect x="${M.left}" y="${y + 4}" width="${(px(f.time) - M.left).toFixed(1)}" height="${ROW - 8}" fill="${COLORS[f.group] ?? '#777'}"/>`);
    out.push(`<text x="${px(f.time) + 5}" y="${y + ROW / 2 + 4}">${f.time.toFixed(2)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
