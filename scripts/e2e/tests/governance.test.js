// Governance end to end: referenda on the economics, attribution_admin and root tracks, with
// real extrinsics from @polkadot/api.
//
// The dev chain runs governance at the fast pace (a decision takes 20 blocks). The first three
// referenda run on a `--sealing manual` node where the test makes each block itself, so that a
// referendum passes in a second or two and every step lands in a known block. The runtime
// upgrade runs on a normal dev node (Aura + GRANDPA, 6-second blocks), to show that block
// production and finality go on under the new runtime.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { Keyring } from '@polkadot/keyring';
import { u8aToHex } from '@polkadot/util';
import { blake2AsHex, cryptoWaitReady } from '@polkadot/util-crypto';

import { nextRuntimeWasm, startNode } from '../lib/node.js';
import { ok as okWith, OPEN, sendAndWait, waitForFinalized } from '../lib/chain.js';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function keys() {
	const keyring = new Keyring({ type: 'sr25519' });
	const names = ['Alice', 'Bob', 'Charlie', 'Dave', 'Eve', 'Ferdie', 'Alice//stash', 'Bob//stash'];
	return Object.fromEntries(names.map((n) => [n.replace('//', '_'), keyring.addFromUri(`//${n}`)]));
}

/** The `{ Lookup: { hash, len } }` of a call, and its encoding (hex: @polkadot/api would read
 * a Uint8Array argument as already length-prefixed) to note as a preimage. */
function preimageOf(call) {
	const bytes = call.method.toU8a();
	return { encoded: call.method.toHex(), bounded: { Lookup: { hash: blake2AsHex(bytes), len: bytes.length } } };
}

const event = (api, events, pallet, name) =>
	events.map(({ event: e }) => e).filter((e) => api.events[pallet][name].is(e));

describe('referenda on a manual-seal dev chain', () => {
	let node;
	let api;
	let k;

	before(async () => {
		await cryptoWaitReady();
		node = await startNode({ args: ['--dev', '--sealing', 'manual'], name: 'governance' });
		api = node.api;
		k = keys();
	});

	after(async () => {
		if (node) await node.stop();
	});

	/** Makes one block (finalised at once) and returns its events. */
	async function seal() {
		const { hash } = await node.rpc('engine_createBlock', [true, true, null]);
		return (await api.query.system.events.at(hash)).toArray();
	}

	/** Sends each [tx, signer] (distinct signers), seals one block with all of them, and checks
	 * that every one succeeded. Returns the block's events. */
	async function include(...txs) {
		const sent = txs.map(([tx, who]) => sendAndWait(api, tx, who, { until: 'inBlock' }));
		for (let i = 0; i < 100 && (await api.rpc.author.pendingExtrinsics()).length < txs.length; i += 1) {
			await sleep(50);
		}
		await seal();
		const results = await Promise.all(sent);
		for (const r of results) assert.equal(r.dispatchError, null, `unexpected ${r.dispatchError}`);
		return results.flatMap((r) => r.events);
	}

	/** Seals blocks until `done(events)` is true for a block's events; returns all events. */
	async function sealUntil(done, maxBlocks = 60) {
		const all = [];
		for (let i = 0; i < maxBlocks; i += 1) {
			const events = await seal();
			all.push(...events);
			if (await done(events)) return all;
		}
		throw new Error(`not done in ${maxBlocks} blocks`);
	}

	/** Notes `call`'s preimage, submits it with `origin`, and places the decision deposit:
	 * returns the referendum's index. */
	async function propose(call, origin, proposer) {
		const { encoded, bounded } = preimageOf(call);
		const noted = await include([api.tx.preimage.notePreimage(encoded), proposer]);
		assert.equal(event(api, noted, 'preimage', 'Noted').length, 1);
		const submitted = await include([api.tx.referenda.submit(origin, bounded, { After: 1 }), proposer]);
		const [e] = event(api, submitted, 'referenda', 'Submitted');
		assert.ok(e, 'Submitted');
		const index = e.data.index.toNumber();
		const deposit = await include([api.tx.referenda.placeDecisionDeposit(index), proposer]);
		assert.equal(event(api, deposit, 'referenda', 'DecisionDepositPlaced').length, 1);
		return index;
	}

	/** Votes from each account with conviction, all in one block. */
	function vote(index, aye, voters) {
		return include(
			...voters.map((who) => [
				api.tx.convictionVoting.vote(index, {
					Standard: { vote: { aye, conviction: 'Locked2x' }, balance: 500_000n * OPEN },
				}),
				who,
			]),
		);
	}

	/** Every call the scheduler ran (the referendum's alarms and its enactment) succeeded. */
	function assertScheduledOk(events) {
		assert.equal(event(api, events, 'scheduler', 'CallUnavailable').length, 0, 'the preimage was there');
		for (const e of event(api, events, 'scheduler', 'Dispatched')) {
			assert.ok(e.data.result.isOk, `scheduled call failed: ${JSON.stringify(e.data.result.toHuman())}`);
		}
	}

	const info = async (index) => (await api.query.referenda.referendumInfoFor(index)).unwrap();
	const height = async () => (await api.rpc.chain.getHeader()).number.toNumber();

	test('an economics referendum changes the reward split through the runtime API', async (t) => {
		const before = (await api.call.rewardsApi.rewardSplit()).toJSON();
		assert.equal(before.contributors, 500_000_000, 'the default split gives contributors 50%');
		const split = {
			contributors: 600_000_000,
			modelOwner: 150_000_000,
			agent: 100_000_000,
			attestors: 100_000_000,
			treasury: 50_000_000,
		};

		const started = Date.now();
		const index = await propose(api.tx.rewards.setRewardSplit(split), { Origins: 'Economics' }, k.Bob);
		const deposited = await height();
		const status = (await info(index)).asOngoing;
		assert.equal(status.track.toNumber(), 2, 'the economics track');
		assert.ok(status.deciding.isSome, 'deciding once the deposit is placed after the prepare period');

		await vote(index, true, [k.Charlie, k.Dave]);
		const tally = (await info(index)).asOngoing.tally;
		assert.equal(tally.support.toBigInt(), 1_000_000n * OPEN, 'support is the voted capital');
		assert.equal(tally.ayes.toBigInt(), 2_000_000n * OPEN, 'ayes carry the 2x conviction');

		const events = await sealUntil(
			(es) => event(api, es, 'rewards', 'RewardSplitSet').length > 0,
		);
		assert.equal(event(api, events, 'referenda', 'ConfirmStarted').length, 1);
		assert.equal(event(api, events, 'referenda', 'Confirmed').length, 1);
		assertScheduledOk(events);
		assert.ok((await info(index)).isApproved);
		t.diagnostic(
			`economics: enacted ${(await height()) - deposited} blocks after the decision deposit, ` +
				`${Date.now() - started} ms after the preimage was sent`,
		);

		assert.deepEqual((await api.call.rewardsApi.rewardSplit()).toJSON(), split);
		assert.deepEqual((await api.query.rewards.split()).toJSON(), split);
	});

	test('an attribution_admin referendum adds an attestor', async () => {
		const eve = k.Eve.address;
		const attestors = async () => (await api.query.attribution.attestors()).map((a) => a.toString());
		assert.ok(!(await attestors()).includes(eve));

		const index = await propose(
			api.tx.attribution.addAttestor(eve),
			{ Origins: 'AttributionAdmin' },
			k.Bob,
		);
		assert.equal((await info(index)).asOngoing.track.toNumber(), 1, 'the attribution_admin track');
		await vote(index, true, [k.Charlie, k.Dave]);
		const events = await sealUntil((es) => event(api, es, 'attribution', 'AttestorAdded').length > 0);
		assertScheduledOk(events);
		assert.ok((await info(index)).isApproved);
		assert.ok((await attestors()).includes(eve));
	});

	test('a rejected referendum changes nothing and its decision deposit comes back', async (t) => {
		const emission = async () => (await api.query.rewards.emission()).toBigInt();
		const split = (await api.query.rewards.split()).toJSON();
		const before = await emission();

		const index = await propose(api.tx.rewards.setEmission(1_000n * OPEN), { Origins: 'Economics' }, k.Ferdie);
		const deposited = await height();
		await vote(index, false, [k.Charlie, k.Dave]);
		const events = await sealUntil((es) => event(api, es, 'referenda', 'Rejected').length > 0);
		t.diagnostic(`rejected ${(await height()) - deposited} blocks after the decision deposit`);
		assert.equal(event(api, events, 'referenda', 'ConfirmStarted').length, 0, 'never passing');
		assert.equal(event(api, events, 'referenda', 'Confirmed').length, 0, 'never approved');
		assert.equal(event(api, events, 'rewards', 'EmissionSet').length, 0, 'nothing enacted');
		assert.ok((await info(index)).isRejected);
		assert.equal(await emission(), before);
		assert.deepEqual((await api.query.rewards.split()).toJSON(), split);

		// The decision deposit (10,000 OPEN on economics) is reserved until it is refunded.
		const reserved = async () => (await api.query.system.account(k.Ferdie.address)).data.reserved.toBigInt();
		const held = await reserved();
		await include([api.tx.referenda.refundDecisionDeposit(index), k.Ferdie]);
		assert.equal(held - (await reserved()), 10_000n * OPEN);
	});

	test('a proposal from an account below the submission deposit fails with a named error', async () => {
		const poor = new Keyring({ type: 'sr25519' }).addFromUri('//GovernancePoor');
		// 5 OPEN: enough for fees, not for the 10 OPEN submission deposit.
		await include([api.tx.balances.transferKeepAlive(poor.address, 5n * OPEN), k.Bob]);
		const count = (await api.query.referenda.referendumCount()).toNumber();
		const { bounded } = preimageOf(api.tx.system.remark('0x'));
		const sent = sendAndWait(api, api.tx.referenda.submit({ system: 'Root' }, bounded, { After: 1 }), poor, {
			until: 'inBlock',
		});
		for (let i = 0; i < 100 && (await api.rpc.author.pendingExtrinsics()).length === 0; i += 1) await sleep(50);
		await seal();
		const { dispatchError } = await sent;
		assert.equal(dispatchError, 'balances.InsufficientBalance');
		assert.equal((await api.query.referenda.referendumCount()).toNumber(), count, 'no referendum');
	});
});

describe('a root referendum upgrades the runtime', () => {
	let node;
	let api;
	let k;

	before(async () => {
		await cryptoWaitReady();
		node = await startNode({ args: ['--dev'], name: 'upgrade' });
		api = node.api;
		k = keys();
	});

	after(async () => {
		if (node) await node.stop();
	});

	test('to a higher spec_version, and the chain goes on producing and finalising blocks', async (t) => {
		const ok = (tx, who) => okWith(api, tx, who, { until: 'inBlock' });
		const before = await api.rpc.state.getRuntimeVersion();
		// The referendum authorises the blob by its hash (a preimage of 40 bytes); once it is
		// enacted, anyone brings the blob with `applyAuthorizedUpgrade`, an operational
		// transaction that may fill the whole block (5 MiB). The blob itself as a preimage
		// (`setCode`) would be a normal transaction, limited to 75% of it: the debug-built blob
		// (4.4 MB, without compression) no longer fits that.
		const wasm = nextRuntimeWasm();
		assert.ok(wasm.length > 0.75 * 5 * 1024 * 1024, `the debug blob is ${wasm.length} bytes`);
		const codeHash = blake2AsHex(wasm, 256);
		const { encoded, bounded } = preimageOf(api.tx.system.authorizeUpgrade(codeHash));

		await ok(api.tx.preimage.notePreimage(encoded), k.Bob);
		const { events } = await ok(api.tx.referenda.submit({ system: 'Root' }, bounded, { After: 1 }), k.Bob);
		const index = event(api, events, 'referenda', 'Submitted')[0].data.index.toNumber();
		// Root needs broad support at the start of its decision: six holders vote 950,000 OPEN
		// each, about 47% of the issuance.
		const voters = [k.Charlie, k.Dave, k.Eve, k.Ferdie, k.Alice_stash, k.Bob_stash];
		await Promise.all(
			voters.map((who) =>
				ok(
					api.tx.convictionVoting.vote(index, {
						Standard: { vote: { aye: true, conviction: 'Locked1x' }, balance: 950_000n * OPEN },
					}),
					who,
				),
			),
		);
		const deposit = await ok(api.tx.referenda.placeDecisionDeposit(index), k.Bob);
		const deposited = (await api.rpc.chain.getHeader(deposit.blockHash)).number.toNumber();

		// Enactment authorises the upgrade; then Bob brings the blob.
		const deadlineAuthorized = Date.now() + 240_000;
		while ((await api.query.system.authorizedUpgrade()).isNone) {
			assert.ok(Date.now() < deadlineAuthorized, `no authorisation in 240 s (referendum ${index})`);
			await sleep(1_000);
		}
		assert.equal((await api.query.system.authorizedUpgrade()).unwrap().codeHash.toHex(), codeHash);
		// Hex, for the same reason as in `preimageOf`. Submitted without watching it: its block
		// is where the runtime changes, and decoding that block's events while the API switches
		// metadata is the race the wait below avoids.
		const apply = api.tx.system.applyAuthorizedUpgrade(u8aToHex(wasm));
		await apply.signAsync(k.Bob);
		await api.rpc.author.submitExtrinsic(apply);

		// The API itself switches to the new runtime. It learns of the new version
		// from its own subscription, then fetches the metadata and rebuilds its type registry
		// in place, and sets `api.runtimeVersion` in the same step. Waiting on the node's RPC
		// instead let a storage query built with the old metadata's type ids be answered after
		// the switch, and decoded against the new ids: "Unable to decode storage" (a flaky
		// failure). So nothing that needs metadata is in flight until the API has switched.
		const deadline = Date.now() + 240_000;
		while (api.runtimeVersion.specVersion.toNumber() <= before.specVersion.toNumber()) {
			assert.ok(Date.now() < deadline, `no upgrade in 240 s (referendum ${index})`);
			await sleep(1_000);
		}
		const after = api.runtimeVersion;
		assert.equal(after.specVersion.toNumber(), before.specVersion.toNumber() + 1);
		assert.equal((await api.rpc.state.getRuntimeVersion()).specVersion.toNumber(), after.specVersion.toNumber());
		const upgradedAt = (await api.rpc.chain.getHeader()).number.toNumber();
		t.diagnostic(
			`root: the new runtime is in place by block ${upgradedAt}, ` +
				`${upgradedAt - deposited} blocks after the decision deposit`,
		);
		assert.equal(after.specName.toString(), 'openledger');
		assert.ok((await api.query.referenda.referendumInfoFor(index)).unwrap().isApproved);

		// Blocks go on, and so does finality, under the new runtime: the first block it executes
		// records the upgrade.
		const head = (await api.rpc.chain.getHeader()).number.toNumber();
		const finalized = await waitForFinalized(api, (h) => h.number.toNumber() >= head + 2, 120_000);
		const at = await api.at(finalized.hash);
		const upgrade = (await at.query.system.lastRuntimeUpgrade()).unwrap();
		assert.equal(upgrade.specVersion.toNumber(), after.specVersion.toNumber());
		// A transaction signed for the new spec_version goes through.
		const dest = new Keyring({ type: 'sr25519' }).addFromUri('//AfterUpgrade').address;
		await ok(api.tx.balances.transferKeepAlive(dest, OPEN), k.Charlie);
		assert.equal((await api.query.system.account(dest)).data.free.toBigInt(), OPEN);
	});
});

describe('--chain staging, the production-style preset', () => {
	let node;

	before(async () => {
		await cryptoWaitReady();
		node = await startNode({ args: ['--chain', 'staging'], name: 'staging' });
	});

	after(async () => {
		if (node) await node.stop();
	});

	test('has no sudo key and production governance periods', async () => {
		const { api } = node;
		assert.ok((await api.query.sudo.key()).isNone, 'no sudo: governance alone');
		assert.equal((await api.query.origins.governancePace()).toString(), 'Production');
		// Names are 25 bytes, padded with zeros (the referenda pallet's fixed-size name).
		const tracks = api.consts.referenda.tracks.map(([id, t]) => [
			id.toNumber(),
			t.name.toString().replace(/\0+$/, ''),
			t,
		]);
		assert.deepEqual(
			tracks.map(([id, name]) => [id, name]),
			[[0, 'root'], [1, 'attribution_admin'], [2, 'economics'], [3, 'treasurer'], [4, 'moderator']],
		);
		const DAY = 14_400; // 6-second blocks
		const root = tracks[0][2];
		assert.equal(root.decisionPeriod.toNumber(), 14 * DAY);
		assert.equal(root.minEnactmentPeriod.toNumber(), DAY);
		assert.equal(root.maxDeciding.toNumber(), 1);
		assert.equal(api.consts.convictionVoting.voteLockingPeriod.toNumber(), 7 * DAY);
	});
});
