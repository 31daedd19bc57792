// The load benchmark's short version (scripts/load.sh runs the full one on four release-built
// validators): 30 paid inferences sent at once to a dev node with 6-second blocks, from 10
// callers. Every one is answered, decided and paid; none expires; the attestor's worker answers
// them in batches (`commit_batch`, `reveal_batch`), not one transaction per job and round. No
// timing is asserted.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import { startNode } from '../lib/node.js';
import { ChainWatcher, digitsDataset, OPEN, sendInvocations, setUpAgent, summarise } from '../lib/load.js';

const INVOCATIONS = 30;
const CALLERS = 10;

describe('30 paid inferences at once on a dev node', () => {
	let node;
	let api;

	before(async () => {
		await cryptoWaitReady();
		node = await startNode({ args: ['--dev'], name: 'load' });
		api = node.api;
	});

	after(async () => {
		if (node) await node.stop();
	});

	test('all complete and are paid, none expires, and the worker answers them in batches', async () => {
		const keyring = new Keyring({ type: 'sr25519' });
		const [eve, ferdie] = ['//Eve', '//Ferdie'].map((u) => keyring.addFromUri(u));
		const { agent, fee, inputs: queries, callers } = await setUpAgent(api, { owner: eve, developer: ferdie, dataset: digitsDataset(100), callers: CALLERS, funds: 100n * OPEN });
		const from = (await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber();
		const watcher = new ChainWatcher(api, from);
		await watcher.start();
		try {
			// All at once: a rate that sends them in the first tick.
			const inputs = queries.slice(0, INVOCATIONS);
			const sent = await sendInvocations([api], { agent, fee, callers, inputs, rate: INVOCATIONS * 10, seconds: 0.1 });
			assert.equal(sent.rejected, 0, `rejected by the pool: ${sent.firstError}`);
			assert.equal(sent.sent, INVOCATIONS);
			await watcher.settled(INVOCATIONS - sent.rejected, 300_000);
		} finally {
			watcher.stop();
		}
		const s = summarise(watcher);
		console.log(
			`# ${s.requested} requested, ${s.completed} paid, ${s.refunded} refunded; invoke → result p50 ${s.toResult.p50}, max ${s.toResult.max} blocks; ` +
				`${watcher.attestations.items} attestations in ${watcher.attestations.txs} batch transactions`,
		);
		assert.equal(s.requested, INVOCATIONS);
		assert.equal(s.completed, INVOCATIONS, 'every inference was paid');
		assert.equal(s.refunded, 0, 'none expired');
		// One commit and one reveal per inference (a committee of one on a dev chain), in batches.
		assert.ok(watcher.attestations.items >= 2 * INVOCATIONS, `${watcher.attestations.items} attestations`);
		assert.ok(watcher.attestations.txs < watcher.attestations.items / 2, `${watcher.attestations.txs} batch transactions`);
	});
});
