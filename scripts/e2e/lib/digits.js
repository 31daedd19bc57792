// The digits set shipped in data/digits (see its README): 1,797 records of 64 values 0..16.

import { readFileSync } from 'node:fs';
import path from 'node:path';

import { repoRoot } from './node.js';

/** [{ label, pixels: Uint8Array(64) }] in file order. */
export function loadDigits() {
	const text = readFileSync(path.join(repoRoot, 'data', 'digits', 'digits.csv'), 'utf8');
	return text
		.trim()
		.split('\n')
		.slice(1)
		.map((line) => {
			const values = line.split(',').map(Number);
			return { label: values[0], pixels: Uint8Array.from(values.slice(1)) };
		});
}
