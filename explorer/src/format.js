// How values are shown.

import { formatOpen } from '@openledger/client';

import { html } from './html.js';

/** An amount in the smallest unit as OPEN, rounded to 6 decimals for reading (exact in the title). */
export function open(units) {
	const exact = formatOpen(units);
	const [whole, frac = ''] = exact.split('.');
	const shown = frac.length > 6 ? `${whole}.${frac.slice(0, 6)}…` : exact;
	return html`<span class="num" title="${exact} OPEN">${shown} OPEN</span>`;
}

/** A Perbill (parts per billion) as a percentage. */
export const percent = (parts, digits = 2) => `${((100 * Number(parts)) / 1e9).toFixed(digits)}%`;

/** A hash, shortened, with the whole value in its title. */
export const hash = (h) => html`<code class="hash" title="${h}">${h.slice(0, 10)}…${h.slice(-6)}</code>`;

/** An account, shortened, linking to its page. */
export const account = (a) => html`<a class="hash" href="#/account/${a}" title="${a}">${a.slice(0, 6)}…${a.slice(-6)}</a>`;

export const status = (s) => html`<span class="status ${s}">${s}</span>`;

/** UTF-8 bytes as text, or hex if they are not UTF-8. */
export function text(bytes) {
	try {
		return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
	} catch {
		return `0x${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
	}
}

/**
 * A record's payload: a Dense record of a square size (64 values: the 8×8 digits) as a grey
 * image, other Dense records as their values, a Text record as its text.
 */
export function payload(schema, bytes) {
	if (!bytes) return html`<span class="note">removed by moderation</span>`;
	if (schema.kind === 'Text') return html`<div class="payload-text">${text(bytes)}</div>`;
	const side = Math.sqrt(bytes.length);
	if (Number.isInteger(side) && side > 1 && side <= 32) {
		const cells = [...bytes].map((v) => {
			const g = Math.round(255 - (255 * v) / Math.max(1, schema.maxValue));
			return html`<span style="background:rgb(${g},${g},${g})"></span>`;
		});
		return html`<div class="digit" style="grid-template-columns:repeat(${side},6px)" title="${[...bytes].join(',')}">${cells}</div>`;
	}
	return html`<code>${[...bytes].join(',')}</code>`;
}

/** A schema as one line. */
export function schema(s) {
	return s.kind === 'Dense' ? `Dense: ${s.dims} values of 0..=${s.maxValue}, ${s.classes} classes` : `Text: UTF-8 up to ${s.maxPayloadLen} bytes, ${s.classes} classes`;
}
