// A step chart of cumulative amounts over block numbers, drawn as SVG.

import { formatOpen } from '@openledger/client';

import { html } from './html.js';

/**
 * `points`: [{ block, amount (BigInt) }] in block order. Draws the running total; each point is
 * a dot whose title gives its block and amount.
 */
export function cumulativeChart(points, { width = 720, height = 220 } = {}) {
	if (points.length === 0) return html`<p class="note">No earnings by attribution yet.</p>`;
	const pad = { left: 70, right: 16, top: 12, bottom: 28 };
	let total = 0n;
	const series = points.map((p) => ({ block: p.block, amount: p.amount, total: (total += p.amount) }));
	const first = series[0].block;
	const last = Math.max(series[series.length - 1].block, first + 1);
	const max = Number(formatOpen(total)) || 1;
	const x = (b) => pad.left + ((b - first) / (last - first)) * (width - pad.left - pad.right);
	const y = (v) => height - pad.bottom - (Number(formatOpen(v)) / max) * (height - pad.top - pad.bottom);
	let d = `M ${x(first)} ${y(0n)}`;
	for (const s of series) d += ` H ${x(s.block).toFixed(1)} V ${y(s.total).toFixed(1)}`;
	const dots = series.map(
		(s) => html`<circle cx="${x(s.block).toFixed(1)}" cy="${y(s.total).toFixed(1)}" r="3" fill="#5b3fd1"><title>block ${s.block}: +${formatOpen(s.amount)} OPEN, ${formatOpen(s.total)} in all</title></circle>`,
	);
	return html`<svg class="chart" data-testid="earnings-chart" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">
		<line x1="${pad.left}" y1="${height - pad.bottom}" x2="${width - pad.right}" y2="${height - pad.bottom}" stroke="#c9cedb"/>
		<line x1="${pad.left}" y1="${pad.top}" x2="${pad.left}" y2="${height - pad.bottom}" stroke="#c9cedb"/>
		<text x="${pad.left - 6}" y="${pad.top + 10}" text-anchor="end" font-size="11">${max.toPrecision(3)}</text>
		<text x="${pad.left - 6}" y="${height - pad.bottom}" text-anchor="end" font-size="11">0</text>
		<text x="${pad.left}" y="${height - 8}" font-size="11">#${first}</text>
		<text x="${width - pad.right}" y="${height - 8}" text-anchor="end" font-size="11">#${last}</text>
		<text x="${pad.left + 4}" y="${pad.top + 10}" font-size="11" fill="#6b7385">OPEN earned, cumulative</text>
		<path d="${d}" fill="none" stroke="#5b3fd1" stroke-width="2"/>
		${dots}
	</svg>`;
}
