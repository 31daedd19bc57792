// A dev chain with Aura + GRANDPA (no sealing flag): blocks, finality, the OPEN token,
// transfers, and signing with the metadata hash as hardware wallets do, against a real node
// through @polkadot/api.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import { metadataHash } from '@openledger/client';

import { startNode } from '../lib/node.js';
import { freeBalance, OPEN, sendAndWait, waitForFinalized } from '../lib/chain.js';


describe('dev chain (Aura + GRANDPA)', () => {
	let node;
	let api;
	let alice;
	let bob;

	before(async () => {
		await cryptoWaitReady();
		node = await startNode({ args: ['--dev'], name: 'dev' });
		api = node.api;
		const keyring = new Keyring({ type: 'sr25519' });
		alice = keyring.addFromUri('//Alice');
		bob = keyring.addFromUri('//Bob');
	});

	after(async () => {
		if (node) await node.stop();
	});

	test('produces and finalises blocks', async () => {
		const finalized = await waitForFinalized(api, (h) => h.number.toNumber() >= 2, 90_000);
		assert.ok(finalized.number.toNumber() >= 2);
		const best = await api.rpc.chain.getHeader();
		assert.ok(best.number.toNumber() >= finalized.number.toNumber());
		// The finalised block is a real block of the chain, authored by Aura.
		const block = await api.rpc.chain.getBlock(finalized.hash);
		const preRuntime = block.block.header.digest.logs.find((log) => log.isPreRuntime);
		assert.ok(preRuntime, 'an Aura pre-runtime digest');
		assert.equal(preRuntime.asPreRuntime[0].toString(), 'aura');
	});

	test('reports the OPEN token with 18 decimals', async () => {
		const props = await api.rpc.system.properties();
		assert.deepEqual(props.tokenSymbol.unwrap().map(String), ['OPEN']);
		assert.deepEqual(props.tokenDecimals.unwrap().map((d) => d.toNumber()), [18]);
		assert.equal(api.registry.chainDecimals[0], 18);
		assert.equal(api.registry.chainTokens[0], 'OPEN');
		const ed = api.consts.balances.existentialDeposit.toBigInt();
		assert.ok(ed > 0n && ed < OPEN, `existential deposit ${ed} is positive and below 1 OPEN`);
	});

	test('a transfer of OPEN from Alice to Bob is included and finalised', async () => {
		const amount = 12n * OPEN + 345n;
		const tx = api.tx.balances.transferKeepAlive(bob.address, amount);
		const { blockHash, dispatchError, fee, events } = await sendAndWait(api, tx, alice);
		assert.equal(dispatchError, null);
		assert.ok(fee > 0n, 'a fee in OPEN was paid');
		assert.ok(
			events.some(({ event }) => api.events.balances.Transfer.is(event)),
			'a Balances.Transfer event',
		);

		const header = await api.rpc.chain.getHeader(blockHash);
		const parentHash = header.parentHash;
		const [aliceBefore, bobBefore, aliceAfter, bobAfter] = await Promise.all([
			freeBalance(api, alice.address, parentHash),
			freeBalance(api, bob.address, parentHash),
			freeBalance(api, alice.address, blockHash),
			freeBalance(api, bob.address, blockHash),
		]);
		assert.equal(bobAfter - bobBefore, amount, 'Bob received exactly the amount');
		assert.equal(aliceBefore - aliceAfter, amount + fee, 'Alice paid the amount and the fee');
		const finalizedHead = await api.rpc.chain.getFinalizedHead();
		const finalizedNumber = (await api.rpc.chain.getHeader(finalizedHead)).number.toNumber();
		assert.ok(finalizedNumber >= header.number.toNumber(), 'the block is finalised');
	});

	test('a transfer larger than the balance fails with its named error and moves nothing', async () => {
		const aliceFree = await freeBalance(api, alice.address);
		const tx = api.tx.balances.transferAllowDeath(bob.address, aliceFree + OPEN);
		const { blockHash, dispatchError, fee } = await sendAndWait(api, tx, alice);
		// pallet-balances reports a lack of funds as the token error `FundsUnavailable`.
		assert.equal(dispatchError, 'token.FundsUnavailable');

		const header = await api.rpc.chain.getHeader(blockHash);
		const [aliceBefore, bobBefore, aliceAfter, bobAfter] = await Promise.all([
			freeBalance(api, alice.address, header.parentHash),
			freeBalance(api, bob.address, header.parentHash),
			freeBalance(api, alice.address, blockHash),
			freeBalance(api, bob.address, blockHash),
		]);
		assert.equal(bobAfter, bobBefore, "Bob's balance is unchanged");
		assert.equal(aliceBefore - aliceAfter, fee, 'Alice lost only the transaction fee');
	});

	test('a transfer signed with the metadata hash (mode 1, as Ledger and Polkadot Vault sign) is accepted; a wrong hash is refused', async () => {
		assert.ok(api.registry.signedExtensions.includes('CheckMetadataHash'), api.registry.signedExtensions.join(', '));
		const hash = await metadataHash(api);
		const amount = 3n * OPEN;
		const bobBefore = await freeBalance(api, bob.address);
		const { blockHash, dispatchError } = await sendAndWait(api, api.tx.balances.transferKeepAlive(bob.address, amount), alice, {
			until: 'inBlock',
			sign: { mode: 1, metadataHash: hash },
		});
		assert.equal(dispatchError, null);
		assert.equal((await freeBalance(api, bob.address, blockHash)) - bobBefore, amount);
		// The extrinsic in the block is Alice's transfer in mode 1: the hash was in what she signed.
		const { block } = await api.rpc.chain.getBlock(blockHash);
		const xt = block.extrinsics.find((x) => x.isSigned && x.signer.toString() === alice.address);
		assert.equal(xt.method.method, 'transferKeepAlive');
		assert.equal(xt.mode.toNumber(), 1);
		// The same metadata merkleized with another token is another hash: the runtime's own
		// hash goes into the payload it checks, so the signature fails.
		const wrong = await metadataHash(api, { tokenSymbol: 'DOT', decimals: 10 });
		assert.notEqual(wrong, hash);
		await assert.rejects(
			sendAndWait(api, api.tx.balances.transferKeepAlive(bob.address, amount), alice, { until: 'inBlock', sign: { mode: 1, metadataHash: wrong } }),
			/1010: Invalid Transaction: Transaction has a bad signature/,
		);
	});
});
