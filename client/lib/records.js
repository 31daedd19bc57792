// Records as the chain takes them: a payload and a label, checked against a Datanet's schema
// and the chain's limits, and their hash. `parse.js` reads them from files.

import { blake3 } from '@noble/hashes/blake3';
import { u8aToHex } from '@polkadot/util';

/**
 * The identity of a record on chain: blake3(payload ‖ label as u16 little-endian), as hex
 * (`openledger_primitives::datanets::record_hash`).
 */
export function recordHash(payload, label) {
	const bytes = new Uint8Array(payload.length + 2);
	bytes.set(payload, 0);
	bytes[payload.length] = label & 0xff;
	bytes[payload.length + 1] = label >> 8;
	return u8aToHex(blake3(bytes));
}

/**
 * A Datanet's schema as plain numbers, from the `Schema` codec (`api.call.datanetsApi.datanet`)
 * and the chain's payload limit: { kind: 'Dense', dims, classes, maxValue, maxPayloadLen } or
 * { kind: 'Text', classes, maxPayloadLen }.
 */
export function schemaOf(schema, maxPayloadLen) {
	if (schema.isDense) {
		const d = schema.asDense;
		return { kind: 'Dense', dims: d.dims.toNumber(), classes: d.classes.toNumber(), maxValue: d.maxValue.toNumber(), maxPayloadLen };
	}
	return { kind: 'Text', classes: schema.asText.classes.toNumber(), maxPayloadLen };
}

const textEncoder = new TextEncoder();

/** An error in a contributor's file, with its line. */
export class RowError extends Error {
	constructor(line, message) {
		super(`line ${line}: ${message}`);
		this.line = line;
	}
}

function integer(value, what, line) {
	const s = typeof value === 'string' ? value.trim() : value;
	const n = typeof s === 'number' ? s : /^-?\d+$/.test(s) ? Number(s) : NaN;
	if (!Number.isSafeInteger(n)) throw new RowError(line, `${what} ${JSON.stringify(value)} is not an integer`);
	return n;
}

/** Checks one record against `schema` and returns { line, label, payload, hash }. */
export function toRecord(schema, line, label, content) {
	const l = integer(label, 'label', line);
	if (l < 0 || l >= schema.classes) throw new RowError(line, `label ${l} is not below the schema's ${schema.classes} classes`);
	let payload;
	if (schema.kind === 'Dense') {
		if (!Array.isArray(content)) throw new RowError(line, 'expected a list of values');
		if (content.length !== schema.dims) throw new RowError(line, `expected ${schema.dims} values after the label, found ${content.length}`);
		payload = new Uint8Array(schema.dims);
		content.forEach((v, i) => {
			const n = integer(v, `value ${i + 1}`, line);
			if (n < 0 || n > schema.maxValue) throw new RowError(line, `value ${i + 1} is ${n}, outside 0..=${schema.maxValue}`);
			payload[i] = n;
		});
	} else {
		if (typeof content !== 'string') throw new RowError(line, 'expected a text');
		if (content.length === 0) throw new RowError(line, 'the text is empty');
		payload = textEncoder.encode(content);
	}
	if (payload.length > schema.maxPayloadLen) {
		throw new RowError(line, `the payload is ${payload.length} bytes, above the chain's limit of ${schema.maxPayloadLen}`);
	}
	return { line, label: l, payload, hash: recordHash(payload, l) };
}
