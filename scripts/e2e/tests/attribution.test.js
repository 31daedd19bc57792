// Proof of Attribution end to end, with the real engine in the dev node's off-chain worker:
// three contributors fill an open Datanet with digits and publish a version; an MLP is
// registered and becomes Active through the attestor's training; an agent is invoked 10 times
// and each inference gets a finalised attribution; the fees reach the contributors' claimable
// balances by share, and a claim pays out. Bob sells the model through pallet-nfts' price and
// buy calls, and its next inference pays the buyer. A second node without off-chain workers lets an
// inference expire, and the caller gets the whole fee back. A third node, serving safe RPC
// methods only, shows the limits: a spec over the cost limit, a preview, a fee below the minimum.
// A fourth node's worker answers for two bonded attestors (Alice and Bob, both keys in its
// keystore) while the test plays a third, Charlie, who copies a commitment, then lies: he earns
// nothing and is slashed, and the honest result stands. Then Charlie lies alone, as a committee
// of one; the node's watchtower challenges on its own, the recheck (without the challenger)
// overturns it, and Charlie's slash goes to the challenger. A model on the first Datanet and a
// second one (Ferdie's, weighted twice) pays the contributors of both.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

import { Keyring } from '@polkadot/keyring';
import { u8aToHex } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import { repoRoot, startNode } from '../lib/node.js';
import { attestation, findEvent, ok, OPEN, sendAndWait, until } from '../lib/chain.js';
import { loadDigits } from '../lib/digits.js';
import { floodFutureReveals, forgedInfer } from '../lib/adversary.js';

const PER_CONTRIBUTOR = 200;
const BATCH = 50;
const INFERENCES = 10;
const BILLION = 1_000_000_000n;
const MODEL_FEE = 10n ** 18n; // 1 OPEN
const AGENT_FEE = 10n ** 17n; // 0.1 OPEN

const SPEC = {
	featurizer: 'Raw',
	architecture: { Mlp1: { hidden: 32 } },
	epochs: 30,
	learningRate: 50_000_000, // 5%
	batchSize: 32,
	l2: 1_000_000, // 1e-3
	seed: 1,
};

function keys() {
	const keyring = new Keyring({ type: 'sr25519' });
	return Object.fromEntries(['Alice', 'Bob', 'Charlie', 'Dave', 'Eve', 'Ferdie'].map((n) => [n, keyring.addFromUri(`//${n}`)]));
}

/** The shared helpers, bound to one node's api. */
function helpers(api) {
	return { ok: (tx, who) => ok(api, tx, who), event: (events, pallet, name) => findEvent(api, events, pallet, name), until };
}

/** Creates an open Datanet, fills it from `contributors` and publishes version 1. */
async function fillDatanet(api, k, contributors, digits) {
	const { ok, event } = helpers(api);
	const created = await ok(
		api.tx.datanets.create('digits', 'UCI handwritten digits, 8x8', 'CC-BY-4.0', { Dense: { dims: 64, classes: 10, maxValue: 16 } }, 'Open'),
		k.Alice,
	);
	const datanet = event(created.events, 'datanets', 'DatanetCreated').data.datanet.toNumber();
	let next = 0;
	for (const who of contributors) {
		for (let b = 0; b < digits.length / contributors.length / BATCH; b += 1) {
			const rows = [];
			for (let i = 0; i < BATCH && next < digits.length; i += 1, next += 1) {
				const { pixels, label } = digits[next];
				rows.push([u8aToHex(pixels), label]);
			}
			await ok(api.tx.datanets.contributeBatch(datanet, rows), who);
		}
	}
	const count = (await api.call.datanetsApi.datanet(datanet)).unwrap().accepted.toNumber();
	await ok(api.tx.datanets.publishVersion(datanet, count), k.Alice);
	return { datanet, count };
}

describe('Proof of Attribution on the digits set', () => {
	let node;
	let api;
	let k;
	let h;
	const digits = loadDigits();
	// Distinct training digits (the chain rejects duplicates), and held-back digits to query.
	const seen = new Set();
	const unique = digits.filter(({ pixels, label }) => {
		const key = `${label}:${u8aToHex(pixels)}`;
		if (seen.has(key)) return false;
		seen.add(key);
		return true;
	});
	const training = unique.slice(0, 3 * PER_CONTRIBUTOR);
	const queries = unique.slice(3 * PER_CONTRIBUTOR, 3 * PER_CONTRIBUTOR + INFERENCES);
	let datanet;
	let count;
	let model;
	let agent;
	const inferences = [];
	let previewed;

	before(async () => {
		await cryptoWaitReady();
		node = await startNode({ args: ['--dev', '--sealing', 'instant', '-lattribution=debug'], name: 'attribution' });
		api = node.api;
		k = keys();
		h = helpers(api);
	});

	after(async () => {
		if (node) await node.stop();
	});

	test('three contributors fill a Datanet and publish a version', async () => {
		({ datanet, count } = await fillDatanet(api, k, [k.Charlie, k.Dave, k.Eve], training));
		assert.equal(count, 3 * PER_CONTRIBUTOR);
		const version = (await api.call.datanetsApi.version(datanet, 1)).unwrap();
		assert.equal(version.count.toNumber(), count);
		const attestors = (await api.call.attributionApi.attestors()).map((a) => a.toString());
		assert.deepEqual(attestors, [k.Alice.address]);
	});

	test('a registered MLP becomes Active through the off-chain worker, with its accuracy', async () => {
		const { events } = await h.ok(api.tx.models.register(datanet, 1, SPEC, MODEL_FEE, 'digits-mlp-64-32-10'), k.Bob);
		model = h.event(events, 'models', 'ModelRegistered').data.model.toNumber();
		assert.ok(h.event(events, 'attribution', 'JobCreated'), 'registering opens a training job');
		const status = await h.until(async () => {
			const info = (await api.call.modelsApi.model(model)).unwrap();
			return info.status.isActive ? info.status.asActive : undefined;
		});
		const accuracy = status.accuracy.toNumber() / 1e9;
		const training = (await api.call.attributionApi.training(model)).unwrap();
		assert.equal(training.submissions.toNumber(), 1);
		assert.equal(training.agreement.toNumber(), 1);
		assert.equal(training.weightsHash.toHex(), status.weightsHash.toHex());
		console.log(`# model ${model} Active: held-out accuracy ${(100 * accuracy).toFixed(1)}%, weights ${status.weightsHash.toHex().slice(0, 18)}…`);
		assert.ok(accuracy > 0.8, `accuracy ${accuracy}`);
	});

	test('attribution_preview answers without a transaction, typed through the client library, and names its errors', async () => {
		const q = queries[0];
		const typed = await api.rpc.attribution.preview(model, u8aToHex(q.pixels));
		assert.ok(typed.answer.isClass, `a classifier answers with a label, not ${typed.answer.type}`);
		const preview = {
			label: typed.answer.asClass.label.toNumber(),
			probabilities: typed.answer.asClass.probabilities.map((p) => p.toNumber()),
			proponents: typed.proponents.map((p) => ({
				record: p.record.toNumber(),
				datanet: p.datanet.toNumber(),
				index: p.index.toNumber(),
				hash: p.recordHash.toHex(),
				contributor: p.contributor.toString(),
				share: p.share.toNumber(),
			})),
		};
		// The typed answer is the node's JSON, field for field.
		const raw = await node.rpc('attribution_preview', [model, u8aToHex(q.pixels)]);
		assert.deepEqual({ label: raw.answer.class.label, probabilities: raw.answer.class.probabilities, proponents: raw.proponents }, preview);
		assert.equal(preview.probabilities.length, 10);
		assert.equal(preview.probabilities.reduce((a, p) => a + p, 0), 1e9);
		assert.equal(preview.label, preview.probabilities.indexOf(Math.max(...preview.probabilities)));
		assert.ok(preview.proponents.length > 0 && preview.proponents.length <= 16);
		assert.equal(preview.proponents.reduce((a, p) => a + p.share, 0), 1e9);
		const contributors = new Set([k.Charlie, k.Dave, k.Eve].map((w) => w.address));
		for (const p of preview.proponents) {
			// A model on one Datanet names a record by its place in that Datanet's log.
			assert.deepEqual([p.datanet, p.index], [datanet, p.record]);
			const [rec] = await api.call.datanetsApi.versionRecords(datanet, 1, p.record, 1);
			assert.equal(rec.record.toHex(), p.hash);
			assert.ok(contributors.has(rec.contributor.toString()));
		}
		await assert.rejects(api.rpc.attribution.preview(99, u8aToHex(q.pixels)), (e) => e.code === 7001 && /model 99 does not exist/.test(e.message));
		await assert.rejects(api.rpc.attribution.preview(model, u8aToHex(q.pixels.slice(1))), (e) => e.code === 7003 && /wrong number of values/.test(e.message));
		previewed = preview;
	});

	test('an agent is invoked 10 times, and each inference gets a finalised attribution', async () => {
		const registered = await h.ok(api.tx.agents.register(model, 'digits-bot', AGENT_FEE), k.Ferdie);
		agent = h.event(registered.events, 'agents', 'AgentRegistered').data.agent.toNumber();
		// Dave calls: Alice is the attestor, and her worker's transactions use her nonces.
		for (const q of queries) {
			const { events, blockHash } = await h.ok(api.tx.agents.invoke(agent, u8aToHex(q.pixels), MODEL_FEE + AGENT_FEE), k.Dave);
			const requested = h.event(events, 'agents', 'InferenceRequested').data;
			assert.equal(requested.fee.toBigInt(), MODEL_FEE + AGENT_FEE);
			const block = (await api.rpc.chain.getHeader(blockHash)).number.toNumber();
			inferences.push({ id: requested.inference.toNumber(), block, truth: q.label });
		}
		let correct = 0;
		const latencies = [];
		for (const inf of inferences) {
			const info = await h.until(async () => {
				const i = (await api.call.attributionApi.inference(inf.id)).unwrap();
				return i.status.isCompleted ? i : undefined;
			});
			const { label } = info.status.asCompleted.asClass;
			if (label.toNumber() === inf.truth) correct += 1;
			latencies.push(info.completed.unwrap().toNumber() - inf.block);
			const shares = info.shares.map((s) => ({ record: s.record.toNumber(), share: s.share.toBigInt() }));
			assert.ok(shares.length > 0 && shares.length <= api.consts.attribution.maxTopK.toNumber());
			assert.equal(shares.reduce((a, s) => a + s.share, 0n), BILLION, 'shares sum to exactly 1e9');
			for (const s of shares) {
				assert.ok(s.record < count, `record ${s.record} is in the version`);
				const [rec] = await api.call.datanetsApi.versionRecords(datanet, 1, s.record, 1);
				assert.equal(rec.index.toNumber(), s.record);
			}
			assert.deepEqual(info.agreeing.map((a) => a.toString()), [k.Alice.address]);
			inf.shares = shares;
		}
		// The preview of the first query foretold its consensus (one attestor, the same engine).
		const first = (await api.call.attributionApi.inference(inferences[0].id)).unwrap();
		assert.equal(first.status.asCompleted.asClass.label.toNumber(), previewed.label);
		assert.deepEqual(first.shares.map((s) => s.record.toNumber()), previewed.proponents.map((p) => p.record));
		console.log(`# ${INFERENCES} inferences: ${correct} correct; latency invoke → InferenceCompleted ${latencies.join(', ')} blocks`);
		assert.ok(correct >= 7, `${correct} of ${INFERENCES} correct`);
	});

	test('contributors can claim 50% of the fees, split by share, to the last unit', async () => {
		const fee = MODEL_FEE + AGENT_FEE;
		const contributorsPart = fee / 2n; // 50%, exact for this fee
		const expected = new Map();
		for (const inf of inferences) {
			for (const s of inf.shares) {
				const [rec] = await api.call.datanetsApi.versionRecords(datanet, 1, s.record, 1);
				const who = rec.contributor.toString();
				expected.set(who, (expected.get(who) ?? 0n) + (contributorsPart * s.share) / BILLION);
			}
		}
		let total = 0n;
		for (const who of [k.Charlie, k.Dave, k.Eve]) {
			const claimable = (await api.call.rewardsApi.claimable(who.address)).toBigInt();
			assert.equal(claimable, expected.get(who.address) ?? 0n, `claimable of ${who.address}`);
			total += claimable;
		}
		assert.ok(total <= contributorsPart * BigInt(INFERENCES));
		assert.ok(total > contributorsPart * BigInt(INFERENCES) - BigInt(INFERENCES * 16), 'only rounding is left over');
		// The model owner's 20% and the agent's 10%.
		assert.equal((await api.call.rewardsApi.claimable(k.Bob.address)).toBigInt(), (fee / 5n) * BigInt(INFERENCES));
		assert.equal((await api.call.rewardsApi.claimable(k.Ferdie.address)).toBigInt(), (fee / 10n) * BigInt(INFERENCES));

		const [richest] = [k.Charlie, k.Dave, k.Eve].sort((a, b) => Number((expected.get(b.address) ?? 0n) - (expected.get(a.address) ?? 0n)));
		const due = expected.get(richest.address);
		const before = (await api.query.system.account(richest.address)).data.free.toBigInt();
		const claimed = await h.ok(api.tx.rewards.claim(), richest);
		assert.equal(h.event(claimed.events, 'rewards', 'Claimed').data.amount.toBigInt(), due);
		const afterClaim = (await api.query.system.account(richest.address)).data.free.toBigInt();
		assert.equal(afterClaim - before, due - claimed.fee);
		assert.equal((await api.call.rewardsApi.claimable(richest.address)).toBigInt(), 0n);
	});

	test('Bob sells his model to a buyer through pallet-nfts: the next inference pays the buyer the owner\'s part, and only the buyer sets its fee', async () => {
		// The buyer is no contributor, attestor or agent owner, so that its claimable balance
		// is the owner's part alone.
		const buyer = new Keyring({ type: 'sr25519' }).addFromUri('//ModelBuyer');
		await h.ok(api.tx.balances.transferKeepAlive(buyer.address, 10n * OPEN), k.Alice);
		const collection = 1; // the models'
		assert.equal((await api.query.nfts.item(collection, model)).unwrap().owner.toString(), k.Bob.address, 'minted to Bob');
		const price = 3n * OPEN;
		await h.ok(api.tx.nfts.setPrice(collection, model, price, null), k.Bob);
		const bobFree = (await api.query.system.account(k.Bob.address)).data.free.toBigInt();
		const bought = await h.ok(api.tx.nfts.buyItem(collection, model, price), buyer);
		assert.ok(h.event(bought.events, 'nfts', 'ItemBought'));
		assert.equal((await api.query.system.account(k.Bob.address)).data.free.toBigInt(), bobFree + price);
		assert.equal((await api.call.modelsApi.model(model)).unwrap().owner.toString(), buyer.address);

		const refused = await sendAndWait(api, api.tx.models.setFee(model, 1n), k.Bob);
		assert.equal(refused.dispatchError, 'models.NotOwner');
		await h.ok(api.tx.models.setFee(model, MODEL_FEE), buyer);
		const burned = await sendAndWait(api, api.tx.nfts.burn(collection, model), buyer);
		assert.match(String(burned.dispatchError), /CallFiltered/, 'an asset is never burned');

		const bobClaimable = (await api.call.rewardsApi.claimable(k.Bob.address)).toBigInt();
		const q = queries[0];
		const { events } = await h.ok(api.tx.agents.invoke(agent, u8aToHex(q.pixels), MODEL_FEE + AGENT_FEE), k.Eve);
		const inference = h.event(events, 'agents', 'InferenceRequested').data.inference.toNumber();
		await h.until(async () => ((await api.call.attributionApi.inference(inference)).unwrap().status.isCompleted ? true : undefined));
		assert.equal((await api.call.rewardsApi.claimable(buyer.address)).toBigInt(), (MODEL_FEE + AGENT_FEE) / 5n, 'the owner\'s 20%');
		assert.equal((await api.call.rewardsApi.claimable(k.Bob.address)).toBigInt(), bobClaimable, 'nothing more to Bob');
	});

	test('a classifier on two Datanets pays the contributors of both, each record through its own Datanet', async () => {
		// A second Datanet of other digits, filled by Ferdie alone; the model counts its records
		// twice (weight 2) after the first Datanet's.
		const others = unique.slice(3 * PER_CONTRIBUTOR + INFERENCES, 4 * PER_CONTRIBUTOR + INFERENCES);
		const second = await fillDatanet(api, k, [k.Ferdie], others);
		assert.equal(second.count, PER_CONTRIBUTOR);
		const mix = [
			[datanet, 1, 1],
			[second.datanet, 1, 2],
		];
		const registered = await h.ok(api.tx.models.registerMix(mix, SPEC, MODEL_FEE, 'digits-on-two'), k.Bob);
		const mixed = h.event(registered.events, 'models', 'ModelRegistered').data;
		const id = mixed.model.toNumber();
		const sources = mixed.sources.map((src) => [src.datanet.toNumber(), src.version.toNumber(), src.records.toNumber(), src.weight.toNumber()]);
		assert.deepEqual(sources, [
			[datanet, 1, count, 1],
			[second.datanet, 1, PER_CONTRIBUTOR, 2],
		]);
		await h.until(async () => ((await api.call.modelsApi.model(id)).unwrap().status.isActive ? true : undefined));
		// The model owner's agent, so that the contributors' claimable balances move only by
		// their records' shares.
		const agentOfBob = h.event((await h.ok(api.tx.agents.register(id, 'digits-on-two', 0), k.Bob)).events, 'agents', 'AgentRegistered').data.agent.toNumber();
		const contributors = [k.Charlie, k.Dave, k.Eve, k.Ferdie];
		const claimable = async () => new Map(await Promise.all(contributors.map(async (w) => [w.address, (await api.call.rewardsApi.claimable(w.address)).toBigInt()])));
		const before = await claimable();
		const expected = new Map();
		const named = { first: 0, second: 0 };
		// Dave calls (fees come from his free balance, not his claimable one); Alice attests.
		for (const q of queries.slice(0, 4)) {
			const { events } = await h.ok(api.tx.agents.invoke(agentOfBob, u8aToHex(q.pixels), MODEL_FEE), k.Dave);
			const inference = h.event(events, 'agents', 'InferenceRequested').data.inference.toNumber();
			const info = await h.until(async () => {
				const i = (await api.call.attributionApi.inference(inference)).unwrap();
				return i.status.isCompleted ? i : undefined;
			});
			for (const sh of info.shares) {
				// Positions 0..count are the first Datanet's records; the second's follow.
				const position = sh.record.toNumber();
				assert.ok(position < count + PER_CONTRIBUTOR, `position ${position} is in the sources`);
				const [net, index] = position < count ? [datanet, position] : [second.datanet, position - count];
				named[net === datanet ? 'first' : 'second'] += 1;
				const [rec] = await api.call.datanetsApi.versionRecords(net, 1, index, 1);
				const who = rec.contributor.toString();
				expected.set(who, (expected.get(who) ?? 0n) + ((MODEL_FEE / 2n) * sh.share.toBigInt()) / BILLION);
				assert.ok((await api.call.rewardsApi.recordEarnings(net, index)).toBigInt() > 0n, `Datanet ${net} record ${index} earned`);
			}
		}
		console.log(`# a model on two Datanets: ${named.first} shares on the first, ${named.second} on the second (weight 2)`);
		assert.ok(named.first > 0 && named.second > 0, `both Datanets are named: ${JSON.stringify(named)}`);
		const after = await claimable();
		for (const w of contributors) {
			assert.equal(after.get(w.address) - before.get(w.address), expected.get(w.address) ?? 0n, `the records of ${w.address}`);
		}
		assert.ok(expected.get(k.Ferdie.address) > 0n, 'the second Datanet\'s contributor is paid');
		// The preview names each record by its Datanet and its place there as well.
		const preview = await api.rpc.attribution.preview(id, u8aToHex(queries[0].pixels));
		for (const p of preview.proponents) {
			const position = p.record.toNumber();
			const [net, index] = position < count ? [datanet, position] : [second.datanet, position - count];
			assert.deepEqual([p.datanet.toNumber(), p.index.toNumber()], [net, index]);
		}
	});

	test('an MLP attributed by replay of its training is trained as the same network, and its inferences carry the preview\'s replayed shares', async () => {
		const replayed = { ...SPEC, method: 'Replay' };
		const { events } = await h.ok(api.tx.models.register(datanet, 1, replayed, MODEL_FEE, 'digits-mlp-replay'), k.Bob);
		const id = h.event(events, 'models', 'ModelRegistered').data.model.toNumber();
		const stored = (await api.call.modelsApi.model(id)).unwrap();
		assert.equal(stored.spec.method.toString(), 'Replay');
		assert.equal((await api.call.modelsApi.model(model)).unwrap().spec.method.toString(), 'Influence', 'a spec without a method is attributed by influence');
		const status = await h.until(async () => {
			const info = (await api.call.modelsApi.model(id)).unwrap();
			return info.status.isActive ? info.status.asActive : undefined;
		});
		// One training, whatever the method: the same weights as the influence-attributed model.
		const first = (await api.call.modelsApi.model(model)).unwrap().status.asActive;
		assert.equal(status.weightsHash.toHex(), first.weightsHash.toHex());
		const agentOfBob = h.event((await h.ok(api.tx.agents.register(id, 'digits-replay', 0), k.Bob)).events, 'agents', 'AgentRegistered').data.agent.toNumber();
		let differ = 0;
		for (const q of queries.slice(0, 3)) {
			const preview = await api.rpc.attribution.preview(id, u8aToHex(q.pixels));
			const byInfluence = await api.rpc.attribution.preview(model, u8aToHex(q.pixels));
			const { events: invoked } = await h.ok(api.tx.agents.invoke(agentOfBob, u8aToHex(q.pixels), MODEL_FEE), k.Dave);
			const inference = h.event(invoked, 'agents', 'InferenceRequested').data.inference.toNumber();
			const info = await h.until(async () => {
				const i = (await api.call.attributionApi.inference(inference)).unwrap();
				return i.status.isCompleted ? i : undefined;
			});
			const shares = info.shares.map((s) => [s.record.toNumber(), s.share.toNumber()]);
			assert.deepEqual(shares, preview.proponents.map((p) => [p.record.toNumber(), p.share.toNumber()]), 'the chain agreed on the replayed shares');
			assert.equal(info.status.asCompleted.asClass.label.toNumber(), preview.answer.asClass.label.toNumber());
			assert.equal(preview.answer.asClass.label.toNumber(), byInfluence.answer.asClass.label.toNumber(), 'the same network answers');
			if (JSON.stringify(byInfluence.proponents.map((p) => p.record.toNumber())) !== JSON.stringify(shares.map(([r]) => r))) differ += 1;
		}
		console.log(`# replay: ${differ} of 3 inferences credit other records than the influence function`);
		assert.ok(differ > 0, 'replay credits the records the influence function credits, on every query');
	});

	test('results and training records are pruned after the retention period, and the command-line client says so', async () => {
		// A retention of 3 blocks (Alice's sudo: no job is open, so it does not compete with her
		// worker's nonces).
		const params = (await api.query.attribution.consensusParams()).toJSON();
		await h.ok(api.tx.sudo.sudo(api.tx.attribution.setParams({ ...params, retention: 3 })), k.Alice);
		const registered = await h.ok(api.tx.models.register(datanet, 1, SPEC, MODEL_FEE, ''), k.Bob);
		const short = h.event(registered.events, 'models', 'ModelRegistered').data.model.toNumber();
		await h.until(async () => ((await api.call.modelsApi.model(short)).unwrap().status.isActive ? true : undefined));
		const invoked = await h.ok(api.tx.agents.invoke(agent, u8aToHex(loadDigits()[120].pixels), MODEL_FEE + AGENT_FEE), k.Dave);
		const id = h.event(invoked.events, 'agents', 'InferenceRequested').data.inference.toNumber();
		// Completed (or already pruned, with a retention this short).
		await h.until(async () => {
			const i = await api.call.attributionApi.inference(id);
			return i.isNone || i.unwrap().status.isCompleted ? true : undefined;
		});
		assert.ok((await api.query.agents.inferences(id)).isNone || (await api.query.agents.inferences(id)).unwrap().status.isCompleted);
		// Blocks come with transactions here: remarks carry the chain past the retention, and
		// each block prunes what is due as it idles.
		for (let i = 0; i < 6; i += 1) await h.ok(api.tx.system.remark('0x00'), k.Eve);
		const [from, to] = [(await api.rpc.chain.getHeader(registered.blockHash)).number.toNumber(), (await api.rpc.chain.getHeader()).number.toNumber()];
		const pruned = { inferences: 0, trainings: 0 };
		for (let b = from; b <= to; b += 1) {
			for (const { event: e } of await (await api.at(await api.rpc.chain.getBlockHash(b))).query.system.events()) {
				if (!api.events.attribution.RecordsPruned.is(e)) continue;
				pruned.inferences += e.data.inferences.toNumber();
				pruned.trainings += e.data.trainings.toNumber();
			}
		}
		assert.ok(pruned.inferences >= 1 && pruned.trainings >= 1, `pruned ${JSON.stringify(pruned)} in #${from}–#${to}`);
		assert.ok((await api.call.attributionApi.inference(id)).isNone, 'the result is gone');
		assert.ok((await api.query.agents.inferences(id)).isNone, "and the agents pallet's record");
		assert.ok((await api.call.attributionApi.training(short)).isNone, 'the training record is gone');
		assert.ok((await api.call.modelsApi.model(short)).unwrap().status.isActive, 'the model stays Active');
		// The command-line client says why the flags are missing.
		const cli = spawnSync(process.execPath, [path.join(repoRoot, 'client', 'bin', 'openledger.js'), 'flags', '--model', String(short), '--url', `ws://127.0.0.1:${node.rpcPort}`], { encoding: 'utf8' });
		assert.equal(cli.status, 1, cli.stderr);
		assert.match(cli.stderr, /quality flags were pruned: a training's record is kept for 3 blocks/);
		await h.ok(api.tx.sudo.sudo(api.tx.attribution.setParams(params)), k.Alice);
	});
});

/** The salt and outcome of `who`'s reveal for `job`, read from the extrinsics of the last 30
 * blocks: a `reveal`, or an item of a `reveal_batch` (what the workers send). */
async function findReveal(api, job, who) {
	let hash = await api.rpc.chain.getBlockHash();
	for (let i = 0; i < 30; i += 1) {
		const { block } = await api.rpc.chain.getBlock(hash);
		for (const ex of block.extrinsics) {
			const { section, method, args } = ex.method;
			if (!ex.isSigned || ex.signer.toString() !== who || section !== 'attribution') continue;
			const items = method === 'reveal' ? [args] : method === 'revealBatch' ? args[0] : [];
			const item = items.find((it) => it[0].toString() === job.toString());
			if (item) return { salt: item[1], outcome: item[2] };
		}
		if (block.header.number.toNumber() === 0) break;
		hash = block.header.parentHash;
	}
	throw new Error(`no reveal of job ${job} by ${who}`);
}

describe('attestors that copy or lie, against two honest ones', () => {
	let node;
	let api;
	let k;
	let h;
	let model;
	let agent;
	const BOND = 1_000n * OPEN;

	before(async () => {
		await cryptoWaitReady();
		node = await startNode({ args: ['--dev', '--sealing', 'instant'], name: 'adversaries' });
		api = node.api;
		k = keys();
		h = helpers(api);
	});

	after(async () => {
		if (node) await node.stop();
	});

	/** Invokes the agent as Dave; resolves with the inference, its job, and the job's two honest
	 * commitments once this node's worker has sent them. */
	const invokeAndAwaitHonestCommits = async (query) => {
		const invoked = await h.ok(api.tx.agents.invoke(agent, u8aToHex(query.pixels), MODEL_FEE + AGENT_FEE), k.Dave);
		const inference = h.event(invoked.events, 'agents', 'InferenceRequested').data.inference.toNumber();
		const created = h.event(invoked.events, 'attribution', 'JobCreated').data;
		const members = created.committee.map((m) => m.toString()).sort();
		assert.deepEqual(members, [k.Alice.address, k.Bob.address, k.Charlie.address].sort(), 'every bonded attestor is drawn');
		const job = created.job;
		const aliceCommit = await h.until(async () => {
			const [a, b] = await Promise.all([k.Alice, k.Bob].map((w) => api.query.attribution.commits(job, w.address)));
			return a.isSome && b.isSome ? a.unwrap() : undefined;
		});
		return { inference, job, aliceCommit };
	};

	/** The events of the block in which inference `id` completed. */
	const completion = async (id) => {
		const info = await h.until(async () => {
			const i = (await api.call.attributionApi.inference(id)).unwrap();
			return i.status.isCompleted ? i : undefined;
		});
		const hash = await api.rpc.chain.getBlockHash(info.completed.unwrap());
		return { info, events: await (await api.at(hash)).query.system.events() };
	};

	const slashed = (events, who) =>
		events
			.filter(({ event: e }) => api.events.attribution.Slashed.is(e) && e.data.attestor.toString() === who)
			.map(({ event: e }) => e.data.amount.toBigInt());

	test('anyone bonds into the attestor set, and a second attr key makes this node answer for Bob', async () => {
		await node.rpc('author_insertKey', ['attr', '//Bob', u8aToHex(k.Bob.publicKey)]);
		const small = await sendAndWait(api, api.tx.attribution.bond(BOND - 1n), k.Dave);
		assert.equal(small.dispatchError, 'attribution.BondTooSmall');
		const bondIn = async (who) => {
			const before = (await api.query.system.account(who.address)).data;
			const { events } = await h.ok(api.tx.attribution.bond(BOND), who);
			assert.equal(h.event(events, 'attribution', 'AttestorAdded').data.attestor.toString(), who.address);
			const after = (await api.query.system.account(who.address)).data;
			assert.equal(after.reserved.toBigInt() - before.reserved.toBigInt(), BOND, 'the bond is held');
			assert.equal((await api.query.attribution.bonds(who.address)).unwrap().amount.toBigInt(), BOND);
		};
		// The training's committee is Alice and Bob, the two honest workers: every member must
		// commit before the round closes, and Charlie (played by this test) answers only
		// inferences.
		await bondIn(k.Bob);
		const { datanet } = await fillDatanet(api, k, [k.Eve], loadDigits().slice(0, 100));
		const registered = await h.ok(api.tx.models.register(datanet, 1, SPEC, MODEL_FEE, ''), k.Dave);
		model = h.event(registered.events, 'models', 'ModelRegistered').data.model.toNumber();
		await h.until(async () => ((await api.call.modelsApi.model(model)).unwrap().status.isActive ? true : undefined));
		const training = (await api.call.attributionApi.training(model)).unwrap();
		assert.equal(training.agreement.toNumber(), 2, 'Alice and Bob revealed the same weights');
		agent = h.event((await h.ok(api.tx.agents.register(model, 'bot', AGENT_FEE), k.Ferdie)).events, 'agents', 'AgentRegistered').data.agent;
		await bondIn(k.Charlie);
		const attestors = (await api.call.attributionApi.attestors()).map((a) => a.toString());
		assert.deepEqual(attestors, [k.Alice.address, k.Bob.address, k.Charlie.address]);
	});

	test('a copying attestor cannot open the commit it copied: it earns nothing, loses 1%, and the honest result stands', async () => {
		const { inference, job, aliceCommit } = await invokeAndAwaitHonestCommits(loadDigits()[150]);
		// Charlie copies Alice's commitment; his is the last member's commit, which opens the
		// reveal round.
		await h.ok(api.tx.attribution.commit(job, aliceCommit), k.Charlie);
		// Alice's reveal shows her salt and outcome; Charlie's reveal of them is invalid in the pool
		// (the commitment names Alice's account): never included, no fee.
		await h.until(async () => ((await api.query.attribution.reveals(job, k.Alice.address)).isSome ? true : undefined));
		const { salt, outcome } = await findReveal(api, job, k.Alice.address);
		const before = (await api.query.system.account(k.Charlie.address)).data.free.toBigInt();
		await assert.rejects(sendAndWait(api, api.tx.attribution.reveal(job, salt, outcome), k.Charlie), /1010|Invalid Transaction/);
		assert.equal((await api.query.system.account(k.Charlie.address)).data.free.toBigInt(), before, 'no fee');
		// The round ends at its deadline: blocks come only with transactions here.
		const deadline = (await api.query.attribution.jobs(job)).unwrap().deadline.toNumber();
		while ((await api.rpc.chain.getHeader()).number.toNumber() <= deadline) {
			await h.ok(api.tx.system.remark('0x00'), k.Ferdie);
		}
		const { info, events } = await completion(inference);
		assert.deepEqual(info.agreeing.map((a) => a.toString()).sort(), [k.Alice.address, k.Bob.address].sort());
		assert.deepEqual(slashed(events, k.Charlie.address), [BOND / 100n], 'an unrevealed commit costs 1%');
		assert.equal((await api.query.attribution.bonds(k.Charlie.address)).unwrap().amount.toBigInt(), BOND - BOND / 100n);
		assert.equal((await api.call.rewardsApi.claimable(k.Charlie.address)).toBigInt(), 0n, 'the copier earns nothing');
		assert.ok((await api.call.rewardsApi.claimable(k.Bob.address)).toBigInt() > 0n, 'the honest attestors are paid');
	});

	test('a lying attestor loses the vote and 10% of its bond; the fee follows the honest result', async () => {
		const { inference, job } = await invokeAndAwaitHonestCommits(loadDigits()[160]);
		// Charlie claims the prediction was all record 0's doing, with another label.
		const engineVersion = (await api.call.attributionApi.training(model)).unwrap().engineVersion;
		const forged = { Infer: { engineVersion, label: 0, confidence: 1_000_000_000, shares: [{ record: 0, share: 1_000_000_000 }] } };
		const lie = attestation(api, job, k.Charlie.address, forged, new Uint8Array(32).fill(42));
		await h.ok(lie.commit, k.Charlie);
		await h.until(async () => ((await api.query.attribution.reveals(job, k.Bob.address)).isSome ? true : undefined));
		const bond = (await api.query.attribution.bonds(k.Charlie.address)).unwrap().amount.toBigInt();
		// The lie is a valid reveal of Charlie's own commit: it is counted, and loses 2 to 1.
		await h.ok(lie.reveal, k.Charlie);
		const { info, events } = await completion(inference);
		assert.deepEqual(info.agreeing.map((a) => a.toString()).sort(), [k.Alice.address, k.Bob.address].sort());
		const honest = await findReveal(api, job, k.Alice.address);
		const shares = info.shares.map((s) => [s.record.toNumber(), s.share.toNumber()]);
		assert.deepEqual(shares, honest.outcome.asInfer.shares.map((s) => [s.record.toNumber(), s.share.toNumber()]), 'the honest shares are paid');
		assert.notDeepEqual(shares, [[0, 1_000_000_000]]);
		assert.equal(info.status.asCompleted.asClass.label.toNumber(), honest.outcome.asInfer.label.toNumber());
		assert.deepEqual(slashed(events, k.Charlie.address), [bond / 10n], 'a lost vote costs 10%');
		assert.equal((await api.call.rewardsApi.claimable(k.Charlie.address)).toBigInt(), 0n, 'the liar earns nothing');
		console.log(`# Charlie's bond after copying and lying: ${(await api.query.attribution.bonds(k.Charlie.address)).unwrap().amount.toBigInt() / 10n ** 15n} milliOPEN of ${BOND / 10n ** 15n}`);
	});

	test('a lie by a committee of one is challenged by a watchtower on its own, overturned by a larger committee, and slashed to the challenger', async () => {
		const stake = (await api.query.attribution.stakeParams()).toJSON();
		const params = (await api.query.attribution.consensusParams()).toJSON();
		// Committees of one, results paid 5 blocks after the vote; Charlie is alone in the set
		// when the inference is invoked, so he is its committee.
		await h.ok(
			api.tx.sudo.sudo(
				api.tx.utility.batchAll([
					api.tx.attribution.setStakeParams({ ...stake, challengeWindow: 5 }),
					api.tx.attribution.setParams({ ...params, committeeSize: 1 }),
					api.tx.attribution.removeAttestor(k.Alice.address),
					api.tx.attribution.removeAttestor(k.Bob.address),
				]),
			),
			k.Alice,
		);
		const invoked = await h.ok(api.tx.agents.invoke(agent, u8aToHex(loadDigits()[170].pixels), MODEL_FEE + AGENT_FEE), k.Dave);
		const invokedAt = (await api.rpc.chain.getHeader(invoked.blockHash)).number.toNumber();
		const inference = h.event(invoked.events, 'agents', 'InferenceRequested').data.inference.toNumber();
		const created = h.event(invoked.events, 'attribution', 'JobCreated').data;
		assert.deepEqual(created.committee.map((m) => m.toString()), [k.Charlie.address]);
		// Alice and Bob are back (their bonds active again), and Ferdie bonds in with a key on this
		// node too: three honest attestors outside that committee, so that a recheck larger than
		// it can be drawn without the challenger.
		await h.ok(api.tx.sudo.sudo(api.tx.utility.batchAll([k.Alice, k.Bob].map((w) => api.tx.attribution.addAttestor(w.address)))), k.Alice);
		assert.equal((await api.query.attribution.bonds(k.Bob.address)).unwrap().unlocksAt.isNone, true);
		await node.rpc('author_insertKey', ['attr', '//Ferdie', u8aToHex(k.Ferdie.publicKey)]);
		await h.ok(api.tx.attribution.bond(BOND), k.Ferdie);
		const watchers = [k.Alice, k.Bob, k.Ferdie].map((w) => w.address);
		const before = Object.fromEntries(await Promise.all(watchers.map(async (w) => [w, (await api.query.system.account(w)).data])));
		const engineVersion = (await api.call.attributionApi.training(model)).unwrap().engineVersion;
		const forged = { Infer: { engineVersion, label: 0, confidence: 1_000_000_000, shares: [{ record: 0, share: 1_000_000_000 }] } };
		const lie = attestation(api, created.job, k.Charlie.address, forged, new Uint8Array(32).fill(43));
		await h.ok(lie.commit, k.Charlie);
		const bondBefore = (await api.query.attribution.bonds(k.Charlie.address)).unwrap().amount.toBigInt();
		const revealed = await h.ok(lie.reveal, k.Charlie);
		const pending = h.event(revealed.events, 'attribution', 'ResultPending').data;
		assert.equal(pending.inference.toNumber(), inference);
		// No one here calls `challenge`: the node's watchtower re-executes the pending result,
		// disagrees, and challenges it within the window.
		const { info, events } = await completion(inference);
		const completedAt = info.completed.unwrap().toNumber();
		let challenged;
		for (let b = invokedAt; b <= completedAt && !challenged; b += 1) {
			const at = await api.at(await api.rpc.chain.getBlockHash(b));
			const found = (await at.query.system.events()).find(({ event: e }) => api.events.attribution.Challenged.is(e));
			if (found) challenged = { block: b, ...found.event.data, events: await at.query.system.events() };
		}
		assert.ok(challenged, 'a watchtower challenged the lie');
		assert.ok(challenged.block < pending.matures.toNumber(), 'within the window');
		const challenger = challenged.challenger.toString();
		assert.ok(watchers.includes(challenger), `the challenger ${challenger} is one of the node's honest attestors`);
		assert.equal(challenged.deposit.toBigInt(), BigInt(stake.challengeDeposit));
		const recheck = h.event(challenged.events, 'attribution', 'JobCreated').data;
		const rechecking = recheck.committee.map((m) => m.toString()).sort();
		assert.deepEqual(rechecking, watchers.filter((w) => w !== challenger).sort(), 'the recheck excludes the challenger and the liar');
		assert.ok(events.some(({ event: e }) => api.events.attribution.ChallengeUpheld.is(e)), 'the result is overturned');
		assert.deepEqual(info.agreeing.map((a) => a.toString()).sort(), rechecking);
		assert.notDeepEqual(info.shares.map((s) => [s.record.toNumber(), s.share.toNumber()]), [[0, 1_000_000_000]]);
		const slash = bondBefore / 10n;
		assert.deepEqual(slashed(events, k.Charlie.address), [slash], 'the liar loses 10%');
		assert.equal((await api.query.attribution.bonds(k.Charlie.address)).unwrap().amount.toBigInt(), bondBefore - slash);
		// The challenger got the slash and its deposit back; it paid only the challenge's fee.
		const fee = challenged.events
			.map(({ event: e }) => e)
			.find((e) => api.events.transactionPayment.TransactionFeePaid.is(e) && e.data.who.toString() === challenger)
			.data.actualFee.toBigInt();
		const after = (await api.query.system.account(challenger)).data;
		assert.equal(after.free.toBigInt(), before[challenger].free.toBigInt() - fee + slash);
		assert.equal(after.reserved.toBigInt(), before[challenger].reserved.toBigInt());
		assert.equal((await api.call.rewardsApi.claimable(k.Charlie.address)).toBigInt(), 0n);
		console.log(`# challenged inference: invoked in block ${invokedAt}, lie pending until ${pending.matures}, challenged by the watchtower in block ${challenged.block}, overturned and paid in block ${completedAt} (${completedAt - invokedAt} blocks, instant sealing: one block per transaction)`);
	});

	test('a flood of reveals for jobs not opened yet, from an account that never bonded, is refused by the pool and costs nothing', async () => {
		const { admitted, refused, before, after } = await floodFutureReveals(api, k.Dave, 200);
		assert.deepEqual({ admitted, refused }, { admitted: 0, refused: 200 });
		assert.equal(after.nonce.toNumber(), before.nonce.toNumber(), 'nothing was included');
		assert.equal(after.data.free.toBigInt(), before.data.free.toBigInt(), 'nothing was charged');
	});

	test('a challenger cannot sit on its own recheck: with no larger committee to draw without it, its challenge is refused before any deposit', async () => {
		// Charlie alone answers the next inference; then Eve bonds in, the only attestor outside
		// its committee.
		await h.ok(api.tx.sudo.sudo(api.tx.utility.batchAll([k.Alice, k.Bob, k.Ferdie].map((w) => api.tx.attribution.removeAttestor(w.address)))), k.Alice);
		const invoked = await h.ok(api.tx.agents.invoke(agent, u8aToHex(loadDigits()[180].pixels), MODEL_FEE + AGENT_FEE), k.Dave);
		const inference = h.event(invoked.events, 'agents', 'InferenceRequested').data.inference.toNumber();
		const created = h.event(invoked.events, 'attribution', 'JobCreated').data;
		assert.deepEqual(created.committee.map((m) => m.toString()), [k.Charlie.address]);
		await h.ok(api.tx.attribution.bond(BOND), k.Eve);
		const engineVersion = (await api.query.attribution.consensusParams()).engineVersion.toNumber();
		const lie = attestation(api, created.job, k.Charlie.address, forgedInfer(engineVersion, 1), new Uint8Array(32).fill(44));
		await h.ok(lie.commit, k.Charlie);
		await h.ok(lie.reveal, k.Charlie);
		assert.ok((await api.call.attributionApi.inference(inference)).unwrap().status.isPending);
		// Eve's recheck would be drawn from the attestors that are neither Charlie nor Eve: none.
		const before = await api.query.system.account(k.Eve.address);
		await assert.rejects(sendAndWait(api, api.tx.attribution.challenge(inference), k.Eve), /1010|Invalid Transaction/);
		const after = await api.query.system.account(k.Eve.address);
		assert.equal(after.nonce.toNumber(), before.nonce.toNumber(), 'not included');
		assert.equal(after.data.free.toBigInt(), before.data.free.toBigInt(), 'no fee');
		assert.equal(after.data.reserved.toBigInt(), before.data.reserved.toBigInt(), 'no deposit held');
		assert.ok((await api.query.attribution.pending(inference)).unwrap().challenge.isNone);
		await h.ok(api.tx.attribution.unbond(), k.Eve);
	});

	test('an attestor removed after it committed still reveals what it committed, and is not struck for it', async () => {
		// Bob (this node's worker) and Charlie (this test) are the set, and every committee.
		const params = (await api.query.attribution.consensusParams()).toJSON();
		await h.ok(api.tx.sudo.sudo(api.tx.utility.batchAll([api.tx.attribution.addAttestor(k.Bob.address), api.tx.attribution.setParams({ ...params, committeeSize: 2 })])), k.Alice);
		const invoked = await h.ok(api.tx.agents.invoke(agent, u8aToHex(loadDigits()[190].pixels), MODEL_FEE + AGENT_FEE), k.Dave);
		const inference = h.event(invoked.events, 'agents', 'InferenceRequested').data.inference.toNumber();
		const { job, committee } = h.event(invoked.events, 'attribution', 'JobCreated').data;
		assert.deepEqual(committee.map((m) => m.toString()).sort(), [k.Bob.address, k.Charlie.address].sort());
		await h.until(async () => ((await api.query.attribution.commits(job, k.Bob.address)).isSome ? true : undefined));
		// Bob leaves the set with his commit made: the reveal round opens only once Charlie
		// commits.
		await h.ok(api.tx.sudo.sudo(api.tx.attribution.removeAttestor(k.Bob.address)), k.Alice);
		assert.equal((await api.query.attribution.bonds(k.Bob.address)).unwrap().unlocksAt.isSome, true, 'Bob is unbonding');
		const engineVersion = (await api.query.attribution.consensusParams()).engineVersion.toNumber();
		const other = attestation(api, job, k.Charlie.address, forgedInfer(engineVersion, 2), new Uint8Array(32).fill(45));
		const bobBond = (await api.query.attribution.bonds(k.Bob.address)).unwrap().amount.toBigInt();
		await h.ok(other.commit, k.Charlie);
		// Bob's worker reveals; Charlie reveals his own answer, and the vote is taken.
		await h.until(async () => ((await api.query.attribution.reveals(job, k.Bob.address)).isSome ? true : undefined));
		await h.ok(other.reveal, k.Charlie);
		const info = await h.until(async () => {
			const i = (await api.call.attributionApi.inference(inference)).unwrap();
			return i.status.isPending ? undefined : i;
		});
		// One vote each of two is no majority: the caller is refunded, and Bob, who kept his
		// word, lost nothing.
		assert.ok(info.status.isRefunded, `inference ${inference} is ${info.status.type}`);
		assert.equal((await api.query.attribution.bonds(k.Bob.address)).unwrap().amount.toBigInt(), bobBond);
		assert.equal((await api.query.attribution.strikes(k.Bob.address)).isNone, true, 'Bob was not struck');
	});
});

describe('an inference that no attestor answers', () => {
	let node;
	let api;
	let k;
	let h;

	before(async () => {
		await cryptoWaitReady();
		node = await startNode({ args: ['--dev', '--sealing', 'instant', '--offchain-worker', 'never'], name: 'expiry' });
		api = node.api;
		k = keys();
		h = helpers(api);
	});

	after(async () => {
		if (node) await node.stop();
	});

	test('expires, and the caller gets the whole fee back', async () => {
		const { datanet } = await fillDatanet(api, k, [k.Charlie], loadDigits().slice(0, 50));
		const registered = await h.ok(api.tx.models.register(datanet, 1, SPEC, MODEL_FEE, ''), k.Bob);
		const model = h.event(registered.events, 'models', 'ModelRegistered').data.model.toNumber();
		const job = h.event(registered.events, 'attribution', 'JobCreated').data.job;
		// No worker runs here: Alice, the attestor, commits to and reveals a training outcome by
		// hand, of the engine version the chain requires.
		const { engineVersion } = (await api.query.attribution.consensusParams()).toJSON();
		const outcome = { engineVersion, accuracy: 900_000_000, weightsHash: `0x${'11'.repeat(32)}`, records: 45, heldOut: 5 };
		const { commit, reveal } = attestation(api, job, k.Alice.address, { Train: outcome });
		await h.ok(api.tx.sudo.sudoAs(k.Alice.address, commit), k.Alice);
		await h.ok(api.tx.sudo.sudoAs(k.Alice.address, reveal), k.Alice);
		assert.ok((await api.call.modelsApi.model(model)).unwrap().status.isActive);
		const agent = h.event((await h.ok(api.tx.agents.register(model, 'bot', AGENT_FEE), k.Ferdie)).events, 'agents', 'AgentRegistered').data.agent;

		const before = (await api.query.system.account(k.Dave.address)).data.free.toBigInt();
		const invoked = await h.ok(api.tx.agents.invoke(agent, u8aToHex(loadDigits()[100].pixels), MODEL_FEE + AGENT_FEE), k.Dave);
		const inference = h.event(invoked.events, 'agents', 'InferenceRequested').data.inference.toNumber();
		const deadline = h.event(invoked.events, 'attribution', 'JobCreated').data.deadline.toNumber();
		// Blocks come only with transactions here: remarks carry the chain past the deadline. The
		// refund happens as a block starts, so its event is among the block's own events.
		let refunded;
		for (let i = 0; refunded === undefined && i < deadline + 5; i += 1) {
			const { blockHash } = await h.ok(api.tx.system.remark('0x00'), k.Alice);
			const events = await (await api.at(blockHash)).query.system.events();
			refunded = h.event(events, 'agents', 'InferenceRefunded');
			if (refunded) {
				const number = (await api.rpc.chain.getHeader(blockHash)).number.toNumber();
				assert.equal(number, deadline + 1, 'the job expires in the block after its deadline');
			}
		}
		assert.ok(refunded, 'the inference was refunded');
		assert.equal(refunded.data.inference.toNumber(), inference);
		assert.equal(refunded.data.amount.toBigInt(), MODEL_FEE + AGENT_FEE);
		const after = (await api.query.system.account(k.Dave.address)).data.free.toBigInt();
		assert.equal(after, before - invoked.fee, 'Dave paid only the transaction fee');
		assert.ok((await api.call.attributionApi.inference(inference)).unwrap().status.isRefunded);
	});
});

describe('what a registration, a preview and an invocation may ask of the attestors', () => {
	let node;
	let api;
	let k;
	let h;
	const U64_MAX = 2n ** 64n - 1n;
	let trainingJob;
	let trainingOutcome;

	before(async () => {
		await cryptoWaitReady();
		// RPC with safe methods only, as on a public port (`--rpc-external` serves the same with
		// the default `--rpc-methods auto`, but a validator may not use it). No worker: nothing
		// here needs training.
		node = await startNode({ args: ['--dev', '--sealing', 'instant', '--offchain-worker', 'never', '--rpc-methods', 'safe'], name: 'limits' });
		api = node.api;
		k = keys();
		h = helpers(api);
	});

	after(async () => {
		if (node) await node.stop();
	});

	test('a spec over the cost limit fails at register with its named error, until governance lifts it', async () => {
		const limit = await api.query.models.costLimit();
		assert.equal(limit.bytes.toBigInt(), 4n << 30n);
		assert.equal(limit.flops.toBigInt(), 2n * 10n ** 12n);
		assert.equal(limit.queryFlops.toBigInt(), 2n * 10n ** 10n);
		const created = await h.ok(api.tx.datanets.create('mail', 'six mails', 'CC0-1.0', { Text: { classes: 2 } }, 'Open'), k.Alice);
		const datanet = h.event(created.events, 'datanets', 'DatanetCreated').data.datanet.toNumber();
		const mails = [
			['Meeting moved to Tuesday at ten.', 0],
			['You have WON a free cruise, click now!', 1],
			['Minutes of the budget review attached.', 0],
			['Cheap pills, no prescription needed!!!', 1],
			['Lunch on Friday? The usual place.', 0],
			['Claim your prize before midnight tonight', 1],
		];
		await h.ok(api.tx.datanets.contributeBatch(datanet, mails.map(([text, label]) => [u8aToHex(new TextEncoder().encode(text)), label])), k.Charlie);
		await h.ok(api.tx.datanets.publishVersion(datanet, mails.length), k.Alice);
		// 16,384 hashed dims into two hidden layers of 512: 8.7 million parameters kept 24 times
		// over, and a K-FAC input factor of 16,385² values twice: about 5.9 GB per attestor.
		const wide = { ...SPEC, featurizer: { HashedNgrams: { dims: 16_384 } }, architecture: { Mlp2: { hidden: [512, 512] } } };
		const next = (await api.query.models.nextModelId()).toNumber();
		const refused = await sendAndWait(api, api.tx.models.register(datanet, 1, wide, MODEL_FEE, ''), k.Bob);
		assert.equal(refused.dispatchError, 'models.InvalidSpec(MemoryOverLimit)');
		assert.equal((await api.query.models.nextModelId()).toNumber(), next, 'nothing registered');
		assert.equal(h.event(refused.events, 'attribution', 'JobCreated'), undefined);
		// Replay costs trainings a query: 200 epochs of a million parameters on six records,
		// replayed for each inference (3·10^10 operations), is over the limit on a query, though
		// its memory (3.7 GB with every epoch's start kept) and training are within the others.
		const slow = { ...SPEC, featurizer: { HashedNgrams: { dims: 4096 } }, architecture: { Mlp1: { hidden: 256 } }, epochs: 200, method: 'Replay' };
		const replayed = await sendAndWait(api, api.tx.models.register(datanet, 1, slow, MODEL_FEE, ''), k.Bob);
		assert.equal(replayed.dispatchError, 'models.InvalidSpec(QueryOverLimit)');
		assert.equal((await api.query.models.nextModelId()).toNumber(), next, 'nothing registered');
		// Only the admin origin sets the limit: a signed call is refused, Root's is not.
		const lifted = { bytes: U64_MAX, flops: U64_MAX, queryFlops: U64_MAX };
		const signed = await sendAndWait(api, api.tx.models.setCostLimit(lifted), k.Bob);
		assert.equal(signed.dispatchError, 'BadOrigin');
		await h.ok(api.tx.sudo.sudo(api.tx.models.setCostLimit(lifted)), k.Alice);
		const { events } = await h.ok(api.tx.models.register(datanet, 1, wide, MODEL_FEE, ''), k.Bob);
		assert.equal(h.event(events, 'models', 'ModelRegistered').data.model.toNumber(), next);
	});

	test('attribution_preview is refused on a public RPC port', async () => {
		await assert.rejects(node.rpc('attribution_preview', [0, '0x00']), (e) => e.rpc.code === -32601 && /unsafe/.test(e.rpc.message));
	});

	test('an invocation below the minimum fee fails and holds nothing', async () => {
		const minFee = (await api.query.agents.minFee()).toBigInt();
		assert.equal(minFee, 10n ** 16n, '0.01 OPEN');
		const { datanet } = await fillDatanet(api, k, [k.Charlie], loadDigits().slice(0, 50));
		const registered = await h.ok(api.tx.models.register(datanet, 1, SPEC, 0, ''), k.Bob);
		const model = h.event(registered.events, 'models', 'ModelRegistered').data.model.toNumber();
		const job = h.event(registered.events, 'attribution', 'JobCreated').data.job;
		const { engineVersion } = (await api.query.attribution.consensusParams()).toJSON();
		const outcome = { engineVersion, accuracy: 900_000_000, weightsHash: `0x${'22'.repeat(32)}`, records: 45, heldOut: 5 };
		const { commit, reveal } = attestation(api, job, k.Alice.address, { Train: outcome });
		await h.ok(api.tx.sudo.sudoAs(k.Alice.address, commit), k.Alice);
		await h.ok(api.tx.sudo.sudoAs(k.Alice.address, reveal), k.Alice);
		[trainingJob, trainingOutcome] = [job, outcome];
		const agent = h.event((await h.ok(api.tx.agents.register(model, 'free-bot', 0), k.Ferdie)).events, 'agents', 'AgentRegistered').data.agent;
		const next = (await api.query.agents.nextInferenceId()).toNumber();
		const pixels = u8aToHex(loadDigits()[100].pixels);
		const free = await sendAndWait(api, api.tx.agents.invoke(agent, pixels, 0), k.Dave);
		assert.equal(free.dispatchError, 'agents.FeeBelowMinimum');
		assert.equal((await api.query.agents.nextInferenceId()).toNumber(), next, 'no inference');
		assert.equal(h.event(free.events, 'attribution', 'JobCreated'), undefined, 'no job');
		// At the minimum, it goes through.
		await h.ok(api.tx.agents.setFee(agent, minFee), k.Ferdie);
		const paid = await h.ok(api.tx.agents.invoke(agent, pixels, minFee), k.Dave);
		assert.equal(h.event(paid.events, 'agents', 'InferenceRequested').data.fee.toBigInt(), minFee);
	});

	test('an attestation that would fail is refused by the pool, and costs its sender nothing', async () => {
		// The job closed with Alice's reveal (quorum 1). Committing or revealing again, or
		// committing as Dave, who is no attestor, is invalid before any fee is taken: never
		// included.
		for (const [who, round] of [[k.Alice, 'commit'], [k.Alice, 'reveal'], [k.Dave, 'commit']]) {
			const before = (await api.query.system.account(who.address)).data.free.toBigInt();
			const nonce = (await api.query.system.account(who.address)).nonce.toNumber();
			const tx = attestation(api, trainingJob, who.address, { Train: trainingOutcome })[round];
			await assert.rejects(sendAndWait(api, tx, who), /1010|Invalid Transaction/);
			const after = await api.query.system.account(who.address);
			assert.equal(after.data.free.toBigInt(), before, 'no fee');
			assert.equal(after.nonce.toNumber(), nonce, 'not included');
		}
	});
});
