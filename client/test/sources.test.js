// Unit tests of where a share's position lies in a model's sources: the chain's
// `models::locate` (primitives/src/models.rs), read the same way by every client. No node needed.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { describeSources, locate } from '../lib/sources.js';

const source = (datanet, records, weight = 1) => ({ datanet, version: 1, records, weight });

test('a position lies in the source that holds it, at its place in that Datanet', () => {
	const sources = [source(4, 3), source(9, 0, 2), source(2, 5, 2)];
	const located = [...Array(9).keys()].map((p) => locate(sources, p));
	assert.deepEqual(located.slice(0, 3), [0, 1, 2].map((index) => ({ source: 0, datanet: 4, version: 1, index })));
	// The empty source holds no position; the weight does not repeat positions.
	assert.deepEqual(located.slice(3, 8), [0, 1, 2, 3, 4].map((index) => ({ source: 2, datanet: 2, version: 1, index })));
	assert.equal(located[8], undefined);
	// One source: a position is the record's place in the Datanet's log.
	assert.deepEqual(locate([source(7, 10)], 6), { source: 0, datanet: 7, version: 1, index: 6 });
});

test('sources in words name each Datanet, version and weight above 1', () => {
	assert.equal(describeSources([source(3, 10)]), 'Datanet 3 version 1');
	assert.equal(describeSources([source(3, 10), source(5, 2, 2)]), 'Datanets 3 v1, 5 v1 ×2');
});
