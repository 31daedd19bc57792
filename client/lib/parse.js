// Records as a contributor's files hold them. A file is CSV or JSON Lines, one record a line:
// - Dense Datanet: CSV `label,v1,…,vN` (N = the schema's dims), or JSONL `{"label":3,"values":[…]}`;
// - Text Datanet: CSV `label,text` (RFC 4180 quoting, so a text may hold commas, quotes and line
//   breaks), or JSONL `{"label":1,"text":"…"}`.
// A CSV file may start with a header row whose first field is `label`. Every row is checked
// against the Datanet's schema and the chain's limits before anything is sent, so a bad row is
// named by its line before it costs a fee. (Node.js: csv-parse wants `Buffer`.)

import { parse } from 'csv-parse/sync';

import { RowError, toRecord } from './records.js';

function parseCsv(text, schema) {
	let rows;
	try {
		rows = parse(text, { relax_column_count: true, skip_empty_lines: true, info: true, bom: true });
	} catch (e) {
		throw new RowError(e.lines ?? '?', `not valid CSV: ${e.message.replace(/^Invalid [^:]*: /, '')}`);
	}
	const out = [];
	for (const [i, { record: fields, info }] of rows.entries()) {
		const line = info.lines - (fields.join(',').split('\n').length - 1);
		if (i === 0 && fields[0]?.trim().toLowerCase() === 'label') continue;
		out.push({ line, fields });
	}
	return out.map(({ line, fields }) => () => {
		if (schema.kind === 'Dense') return toRecord(schema, line, fields[0], fields.slice(1));
		if (fields.length !== 2) throw new RowError(line, `expected 2 fields (label,text), found ${fields.length}; quote a text that holds commas`);
		return toRecord(schema, line, fields[0], fields[1]);
	});
}

function parseJsonl(text, schema) {
	return text.split('\n').flatMap((raw, i) => {
		const line = i + 1;
		if (raw.trim() === '') return [];
		return [
			() => {
				let obj;
				try {
					obj = JSON.parse(raw);
				} catch (e) {
					throw new RowError(line, `not JSON: ${e.message}`);
				}
				if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw new RowError(line, 'expected an object');
				const key = schema.kind === 'Dense' ? 'values' : 'text';
				if (!(key in obj)) throw new RowError(line, `expected "label" and "${key}"`);
				return toRecord(schema, line, obj.label, obj[key]);
			},
		];
	});
}

/**
 * Checks every record of a file's `text` against `schema`. `format` is 'csv' or 'jsonl'.
 * Returns { records, errors }: the good records in file order, and a `RowError` for each bad
 * row (or for a record that repeats an earlier line).
 */
export function parseRecords(text, schema, format) {
	let rows;
	try {
		rows = format === 'jsonl' ? parseJsonl(text, schema) : parseCsv(text, schema);
	} catch (e) {
		if (e instanceof RowError) return { records: [], errors: [e] };
		throw e;
	}
	const records = [];
	const errors = [];
	const seen = new Map();
	for (const row of rows) {
		try {
			const r = row();
			if (seen.has(r.hash)) throw new RowError(r.line, `the same record as line ${seen.get(r.hash)}`);
			seen.set(r.hash, r.line);
			records.push(r);
		} catch (e) {
			if (!(e instanceof RowError)) throw e;
			errors.push(e);
		}
	}
	return { records, errors };
}
