// The State of the Union records of the load benchmark's Text Datanet (lib/sotu.js): each one a
// valid Text payload for the chain, none repeated, every era present, and more than the 20,000
// the benchmark contributes. No node is started.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { ERAS, MAX_PAYLOAD_BYTES, sentences, sotuRecords } from '../lib/sotu.js';

describe('State of the Union records', () => {
	const records = sotuRecords();

	test('are valid Text payloads of the chain, none repeated, labelled with an era', () => {
		assert.ok(records.length > 20_000, `${records.length} records`);
		const seen = new Set();
		const perEra = ERAS.map(() => 0);
		for (const { text, label } of records) {
			const bytes = Buffer.from(text, 'utf8');
			assert.ok(bytes.length > 0 && bytes.length <= MAX_PAYLOAD_BYTES, `${bytes.length} bytes`);
			assert.equal(bytes.toString('utf8'), text, 'round-trips through UTF-8');
			assert.ok(!seen.has(text), 'repeated');
			seen.add(text);
			assert.ok(Number.isInteger(label) && label >= 0 && label < ERAS.length);
			perEra[label] += 1;
		}
		assert.ok(perEra.every((n) => n > 1_000), `per era: ${perEra}`);
	});

	test('come in the same order on every call', () => {
		assert.deepEqual(sotuRecords().slice(0, 50), records.slice(0, 50));
	});

	test('split at sentence ends only', () => {
		assert.deepEqual(sentences('We met. "Peace," he said! Is it 1812? yes. (Done.) Then'), ['We met.', '"Peace," he said!', 'Is it 1812? yes.', '(Done.)', 'Then']);
	});
});
