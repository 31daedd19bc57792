// The 600 SpamAssassin mails of data/spam/mails.tsv (data/spam/README.md): each a Text record
// whose body was cut at 2,048 bytes, labelled 1 for spam and 0 for ham.

import { readFileSync } from 'node:fs';
import path from 'node:path';

import { repoRoot } from './node.js';

/** `\\`, `\t`, `\r` and `\n` back to their characters. */
function unescape(field) {
	return field.replace(/\\(.)/g, (_, c) => ({ t: '\t', r: '\r', n: '\n', '\\': '\\' })[c] ?? c);
}

/** The mails, in file order (spam and ham interleaved): [{ text, label }]. */
export function loadMails() {
	const file = path.join(repoRoot, 'data', 'spam', 'mails.tsv');
	return readFileSync(file, 'utf8')
		.split('\n')
		.filter((line) => line.length > 0)
		.map((line) => {
			const tab = line.indexOf('\t');
			return { label: Number(line.slice(0, tab)), text: unescape(line.slice(tab + 1)) };
		});
}
