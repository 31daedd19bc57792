import { test } from 'node:test';
import assert from 'node:assert/strict';

import { formatOpen, parseOpen } from '../lib/units.js';

test('OPEN amounts parse exactly to 10^-18 units and print back without trailing zeros', () => {
	assert.equal(parseOpen('1.5'), 1_500_000_000_000_000_000n);
	assert.equal(parseOpen('0'), 0n);
	assert.equal(parseOpen('0.000000000000000001'), 1n);
	assert.equal(formatOpen(1_500_000_000_000_000_000n), '1.5');
	assert.equal(formatOpen(123n), '0.000000000000000123');
	assert.equal(formatOpen(20n * 10n ** 18n), '20');
	for (const bad of ['', '-1', '1e3', '1.', '.5', 'abc', '0.0000000000000000001']) assert.throws(() => parseOpen(bad), undefined, bad);
});
