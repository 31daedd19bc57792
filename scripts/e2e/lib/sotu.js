// The State of the Union addresses (data/sotu, fetched by scripts/setup.sh) as Text records: each
// address split at sentence ends, consecutive sentences joined into records of a few hundred
// bytes, each labelled with the half-century of its address.

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { repoRoot } from './node.js';

/** The classes: the half-century an address was given in, from 1790. */
export const ERAS = ['1790–1839', '1840–1889', '1890–1939', '1940–1989', '1990–2039'];
/** A record grows sentence by sentence until it has at least this many bytes. */
export const RECORD_BYTES = 200;
/** The chain's limit on a Text payload (the runtime's `MaxPayloadLen`). */
export const MAX_PAYLOAD_BYTES = 2048;

const bytes = (s) => Buffer.byteLength(s, 'utf8');

/** `text` cut at its last space within `max` bytes (or at `max` bytes, on a whole character). */
function cut(text, max) {
	if (bytes(text) <= max) return text;
	let end = Buffer.from(text, 'utf8').subarray(0, max).toString('utf8');
	// A character cut in half decodes as U+FFFD at the end; drop it.
	end = end.replace(/\uFFFD$/, '');
	const space = end.lastIndexOf(' ');
	return space > 0 ? end.slice(0, space) : end;
}

/** The sentences of `text`: split after `.`, `!` or `?` (and a closing quote or bracket) where
 * the next sentence starts with a capital, a digit or an opening quote. */
export function sentences(text) {
	return text
		.split(/(?<=[.!?]["'\u201d\u2019)\]]?)\s+(?=["'\u201c\u2018(\[]?[A-Z0-9])/)
		.map((s) => s.trim())
		.filter((s) => s.length > 0);
}

/** The addresses, by year: [{ year, name, party, text }]. */
export function loadAddresses() {
	const dir = path.join(repoRoot, 'data', 'sotu', 'addresses');
	let files;
	try {
		files = readdirSync(dir).filter((f) => f.endsWith('.json'));
	} catch {
		throw new Error(`${dir} is missing: scripts/setup.sh fetches it`);
	}
	return files
		.sort()
		.map((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')))
		.sort((a, b) => a.year - b.year || a.name.localeCompare(b.name));
}

/**
 * Every record the addresses give, each payload once (a repeated one is dropped), in an order
 * shuffled by a fixed seed so that any prefix mixes the eras: [{ text, label, year }]. Payloads
 * are valid UTF-8 of at most MAX_PAYLOAD_BYTES bytes.
 */
export function sotuRecords() {
	const out = [];
	const seen = new Set();
	const push = (text, year) => {
		if (text.length === 0 || seen.has(text)) return;
		seen.add(text);
		out.push({ text, label: Math.min(ERAS.length - 1, Math.floor((year - 1790) / 50)), year });
	};
	for (const { year, text } of loadAddresses()) {
		let record = '';
		for (const sentence of sentences(text)) {
			record = record ? `${record} ${sentence}` : sentence;
			if (bytes(record) >= RECORD_BYTES) {
				push(cut(record, MAX_PAYLOAD_BYTES), year);
				record = '';
			}
		}
		push(cut(record, MAX_PAYLOAD_BYTES), year);
	}
	// Fisher–Yates with a fixed linear congruential generator: the same order on every run.
	let state = 0x2545f491;
	for (let i = out.length - 1; i > 0; i -= 1) {
		state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
		const j = state % (i + 1);
		[out[i], out[j]] = [out[j], out[i]];
	}
	return out;
}
