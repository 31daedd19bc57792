// `--sealing manual`: blocks are created on demand by `engine_createBlock`, and
// `--sealing instant`: a block as soon as a transaction arrives.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady, xxhashAsHex } from '@polkadot/util-crypto';

import { startNode } from '../lib/node.js';
import { freeBalance, sendAndWait } from '../lib/chain.js';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

describe('--sealing manual', () => {
	let node;
	let api;

	before(async () => {
		await cryptoWaitReady();
		node = await startNode({ args: ['--dev', '--sealing', 'manual'], name: 'manual' });
		api = node.api;
	});

	after(async () => {
		if (node) await node.stop();
	});

	test('engine_createBlock creates blocks on demand, and only then', async () => {
		await sleep(2_000);
		assert.equal((await api.rpc.chain.getHeader()).number.toNumber(), 0, 'no block without a call');

		for (let i = 1; i <= 3; i += 1) {
			const created = await node.rpc('engine_createBlock', [true, true, null]);
			assert.match(created.hash, /^0x[0-9a-f]{64}$/);
			const header = await api.rpc.chain.getHeader(created.hash);
			assert.equal(header.number.toNumber(), i);
		}
		assert.equal((await api.rpc.chain.getHeader()).number.toNumber(), 3);
		const finalized = await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead());
		assert.equal(finalized.number.toNumber(), 3, 'finalize=true finalises the new block');
	});

	test('a pending transfer is included by the next engine_createBlock', async () => {
		const keyring = new Keyring({ type: 'sr25519' });
		const alice = keyring.addFromUri('//Alice');
		const dave = keyring.addFromUri('//Dave');
		const before = await freeBalance(api, dave.address);
		const amount = 10n ** 18n;
		const pending = sendAndWait(api, api.tx.balances.transferKeepAlive(dave.address, amount), alice, {
			until: 'inBlock',
		});
		// Give the pool a moment to accept the transaction, then seal.
		for (let i = 0; i < 40 && (await api.rpc.author.pendingExtrinsics()).length === 0; i += 1) {
			await sleep(100);
		}
		await node.rpc('engine_createBlock', [false, true, null]);
		const { dispatchError } = await pending;
		assert.equal(dispatchError, null);
		assert.equal((await freeBalance(api, dave.address)) - before, amount);
	});

	test('engine_createBlock on an unknown parent is a JSON-RPC error with a message', async () => {
		await assert.rejects(
			node.rpc('engine_createBlock', [true, false, `0x${'ab'.repeat(32)}`]),
			(e) => e.rpc && typeof e.rpc.message === 'string' && e.rpc.message.length > 0,
		);
	});
});

describe('--sealing instant', () => {
	let node;

	before(async () => {
		await cryptoWaitReady();
		node = await startNode({ args: ['--dev', '--sealing', 'instant'], name: 'instant' });
	});

	after(async () => {
		if (node) await node.stop();
	});

	test('a transaction is sealed and finalised at once', async () => {
		const { api } = node;
		const keyring = new Keyring({ type: 'sr25519' });
		const alice = keyring.addFromUri('//Alice');
		const eve = keyring.addFromUri('//Eve');
		const { dispatchError, blockHash } = await sendAndWait(
			api,
			api.tx.balances.transferKeepAlive(eve.address, 5n * 10n ** 18n),
			alice,
		);
		assert.equal(dispatchError, null);
		const header = await api.rpc.chain.getHeader(blockHash);
		assert.equal(header.number.toNumber(), 1, 'the first block holds the transaction');
		const finalized = await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead());
		assert.equal(finalized.number.toNumber(), 1, 'and it is finalised');
	});

	test('a session boundary, whose block no transaction fits, does not stop the chain', async () => {
		// Sessions of 4 blocks (Root may set `:SessionBlocks:`): a session ends at every fourth
		// block, and pallet_session weighs that block as full before any transaction.
		const { api } = node;
		const alice = new Keyring({ type: 'sr25519' }).addFromUri('//Alice');
		const key = xxhashAsHex(':SessionBlocks:', 128);
		const set = await sendAndWait(api, api.tx.sudo.sudo(api.tx.system.setStorage([[key, '0x04000000']])), alice);
		assert.equal(set.dispatchError, null);
		const blocks = [];
		for (let i = 0; i < 6; i += 1) {
			const { dispatchError, blockHash } = await sendAndWait(api, api.tx.system.remark(`0x0${i}`), alice);
			assert.equal(dispatchError, null);
			blocks.push((await api.rpc.chain.getHeader(blockHash)).number.toNumber());
		}
		// Every session boundary between the remarks was passed: a block that holds no
		// transaction, and the remark in the next one.
		const skipped = [];
		for (let i = 1; i < blocks.length; i += 1) for (let b = blocks[i - 1] + 1; b < blocks[i]; b += 1) skipped.push(b);
		const boundaries = [];
		for (let b = blocks[0] + 1; b < blocks[blocks.length - 1]; b += 1) if (b % 4 === 0) boundaries.push(b);
		assert.ok(boundaries.length >= 1, `remarks in blocks ${blocks}`);
		assert.deepEqual(skipped, boundaries, `remarks in blocks ${blocks}`);
		for (const b of boundaries) {
			const block = await api.rpc.chain.getBlock(await api.rpc.chain.getBlockHash(b));
			assert.ok(block.block.extrinsics.every((x) => !x.isSigned), `block ${b} ends a session and holds no transaction`);
		}
	});
});
