// The parts of the library that parse and read files: Node.js only (the explorer does without
// them).

import { readFileSync } from 'node:fs';

import { fromKeystoreJson, KeyError } from './keys.js';
import { parseRecords } from './parse.js';

export { parseRecords };

/** `parseRecords` of a file; `format` defaults to the file's extension (.jsonl/.json, else CSV). */
export function readRecords(file, schema, format = /\.jsonl?$/i.test(file) ? 'jsonl' : 'csv') {
	return parseRecords(readFileSync(file, 'utf8'), schema, format);
}

/** `fromKeystoreJson` of a keystore file. */
export async function fromKeystore(file, password) {
	let text;
	try {
		text = readFileSync(file, 'utf8');
	} catch (e) {
		throw new KeyError(`cannot read ${file}: ${e.message}`);
	}
	return fromKeystoreJson(text, password, file);
}
