// The data layer end to end, on the digits set: a Dense Datanet with three contributors and a
// curator, 300 records contributed in batches, review, named errors that store nothing, a
// published version read back through the runtime API, a model and an agent with their
// deposits; the Datanet and the agent change hands through pallet-nfts, the new holder
// publishes a version, and the agent's bond keeps its rules. Instant sealing keeps it fast;
// every call is a real signed extrinsic.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { Keyring } from '@polkadot/keyring';
import { u8aConcat, u8aToHex } from '@polkadot/util';
import { blake2AsHex, cryptoWaitReady } from '@polkadot/util-crypto';
import { cidOf, indexedBytes, payloadsOf, recordPayload } from '@openledger/client';
import { blake3 } from '@noble/hashes/blake3';

import { startNode } from '../lib/node.js';
import { ok as okWith, sendAndWait } from '../lib/chain.js';
import { loadDigits } from '../lib/digits.js';

const BATCH = 50;
const PER_CONTRIBUTOR = 100;
const REJECTED = 20;

/** The record hash the chain uses: blake3(payload ‖ label as u16 LE). */
function recordHash(pixels, label) {
	return blake3(u8aConcat(pixels, new Uint8Array([label & 0xff, label >> 8])));
}

describe('Datanets, models and agents on the digits set', () => {
	let node;
	let api;
	let k;
	const digits = loadDigits();
	let datanet;
	const contributed = new Map(); // hex hash -> { who, index in digits }

	const reserved = async (who) => (await api.query.system.account(who.address)).data.reserved.toBigInt();
	const send = (tx, who) => sendAndWait(api, tx, who);
	const ok = (tx, who) => okWith(api, tx, who);
	const batchErrors = (events) =>
		events.filter(({ event }) => api.events.utility.BatchInterrupted.is(event));

	before(async () => {
		await cryptoWaitReady();
		node = await startNode({ args: ['--dev', '--sealing', 'instant'], name: 'data-layer' });
		api = node.api;
		const keyring = new Keyring({ type: 'sr25519' });
		k = Object.fromEntries(['Alice', 'Bob', 'Charlie', 'Dave', 'Eve', 'Ferdie'].map((n) => [n, keyring.addFromUri(`//${n}`)]));
	});

	after(async () => {
		if (node) await node.stop();
	});

	test('Alice creates a curated Dense Datanet for the digits and makes Bob a curator', async () => {
		const before = await reserved(k.Alice);
		const { events } = await ok(
			api.tx.datanets.create('digits', 'UCI handwritten digits, 8x8', 'CC-BY-4.0', { Dense: { dims: 64, classes: 10, maxValue: 16 } }, 'Curated'),
			k.Alice,
		);
		const created = events.find(({ event }) => api.events.datanets.DatanetCreated.is(event)).event;
		datanet = created.data.datanet.toNumber();
		const deposit = created.data.deposit.toBigInt();
		assert.equal((await reserved(k.Alice)) - before, deposit);
		assert.equal(deposit, api.consts.datanets.datanetDeposit.toBigInt() + BigInt(6 + 27 + 9) * api.consts.datanets.depositPerByte.toBigInt());
		await ok(api.tx.datanets.addCurator(datanet, k.Bob.address), k.Alice);

		const info = (await api.call.datanetsApi.datanet(datanet)).unwrap();
		assert.equal(info.owner.toString(), k.Alice.address);
		assert.equal(info.curators.toNumber(), 1);
		assert.ok(info.schema.isDense);
	});

	test('three contributors add 300 records in contribute_batch transactions', async () => {
		const base = api.consts.datanets.recordDepositBase.toBigInt();
		const perByte = api.consts.datanets.depositPerByte.toBigInt();
		const contributors = [k.Charlie, k.Dave, k.Eve];
		for (const [c, who] of contributors.entries()) {
			const before = await reserved(who);
			for (let start = 0; start < PER_CONTRIBUTOR; start += BATCH) {
				const rows = [];
				for (let i = start; i < start + BATCH; i += 1) {
					const index = c * PER_CONTRIBUTOR + i;
					const { pixels, label } = digits[index];
					rows.push([u8aToHex(pixels), label]);
					contributed.set(u8aToHex(recordHash(pixels, label)), { who, index });
				}
				const { events } = await ok(api.tx.datanets.contributeBatch(datanet, rows), who);
				const n = events.filter(({ event }) => api.events.datanets.RecordContributed.is(event)).length;
				assert.equal(n, BATCH);
			}
			assert.equal((await reserved(who)) - before, BigInt(PER_CONTRIBUTOR) * (base + 64n * perByte));
		}
		const info = (await api.call.datanetsApi.datanet(datanet)).unwrap();
		assert.equal(info.pending.toNumber(), 3 * PER_CONTRIBUTOR);
		assert.equal(info.accepted.toNumber(), 0);
		assert.equal(contributed.size, 300, 'the first 300 digits are distinct records');
	});

	test("the payloads are not in the state: the node's transaction index serves each batch under its CID", async () => {
		const hashes = [...contributed.keys()];
		const infos = await Promise.all(hashes.map((h) => api.call.datanetsApi.record(datanet, h)));
		const contents = new Set();
		for (const [i, h] of hashes.entries()) {
			// No payload under the record's key of `Payloads`, and the record itself only says
			// where the payload is.
			const key = api.query.datanets.payloads.key(datanet, h);
			assert.equal((await api.rpc.state.getStorage(key)).isNone, true, `record ${h} has no payload in state`);
			const stored = await api.rpc.state.getStorage(api.query.datanets.records.key(datanet, h));
			// Contributor 32, label 2, status 1 (Pending; Accepted adds its index, 4), deposit 16,
			// and where its payload is: 1 + content hash 32 + offset 4 + length 4.
			assert.equal(stored.unwrap().length, 92, 'a pending record in state is its fields, without its payload');
			const where = infos[i].unwrap().payload.unwrap();
			assert.ok(where.isIndexed);
			assert.equal(where.asIndexed.len.toNumber(), 64);
			contents.add(where.asIndexed.content.toHex());
		}
		// One indexed content a contribute_batch, three contributors with two batches each.
		assert.equal(contents.size, (3 * PER_CONTRIBUTOR) / BATCH);
		for (const content of contents) {
			const bytes = await indexedBytes(api, content);
			assert.equal(blake2AsHex(bytes), content, `${cidOf(content)} is the bytes hashed to it`);
		}
		// Every record's payload is cut from them and checked against its hash.
		const [first, payload] = [hashes[0], await recordPayload(api, datanet, hashes[0])];
		assert.deepEqual(payload, digits[contributed.get(first).index].pixels);
	});

	test('the curator accepts most records and rejects some, whose deposits come back', async () => {
		const hashes = [...contributed.keys()];
		const rejected = new Set(hashes.filter((_, i) => i % 15 === 7).slice(0, REJECTED));
		assert.equal(rejected.size, REJECTED);
		const eveBefore = await reserved(k.Eve);
		for (let start = 0; start < hashes.length; start += 100) {
			const calls = hashes.slice(start, start + 100).map((h) => api.tx.datanets.review(datanet, h, !rejected.has(h)));
			await ok(api.tx.utility.batchAll(calls), k.Bob);
		}
		const info = (await api.call.datanetsApi.datanet(datanet)).unwrap();
		assert.equal(info.accepted.toNumber(), 300 - REJECTED);
		assert.equal(info.pending.toNumber(), 0);
		for (const h of rejected) {
			assert.ok((await api.call.datanetsApi.record(datanet, h)).isNone, 'a rejected record is deleted');
		}
		const eveRejected = [...rejected].filter((h) => contributed.get(h).who === k.Eve).length;
		const perRecord = api.consts.datanets.recordDepositBase.toBigInt() + 64n * api.consts.datanets.depositPerByte.toBigInt();
		assert.equal(eveBefore - (await reserved(k.Eve)), BigInt(eveRejected) * perRecord);
		for (const h of rejected) contributed.delete(h);
	});

	test('a duplicate and malformed records fail with their named errors and store nothing', async () => {
		const before = (await api.call.datanetsApi.datanet(datanet)).unwrap();
		const charlieBefore = await reserved(k.Charlie);
		const [firstHash, first] = [...contributed.entries()][0];
		const { pixels, label } = digits[first.index];
		// Bytes arguments go as hex: a Uint8Array would be read as already SCALE-encoded.
		const contribute = (payload, l) => api.tx.datanets.contribute(datanet, u8aToHex(payload), l);

		const cases = [
			[contribute(pixels, label), 'datanets.DuplicateRecord'],
			[contribute(pixels.slice(0, 63), 1), 'datanets.InvalidRecord(WrongDimensions)'],
			[contribute(new Uint8Array(2049).fill(1), 1), 'datanets.InvalidRecord(PayloadTooLong)'],
			[contribute(new Uint8Array(64).fill(17), 1), 'datanets.InvalidRecord(ValueOutOfRange)'],
			[contribute(pixels, 10), 'datanets.InvalidRecord(LabelOutOfRange)'],
			[api.tx.datanets.contribute(datanet + 99, u8aToHex(pixels), 1), 'datanets.UnknownDatanet'],
			// A contribution's payloads are indexed from its extrinsic's last bytes: one that does
			// not end its extrinsic, or a second in one extrinsic, would point at bytes that are
			// not its payload, or that the second index replaced.
			[api.tx.utility.batchAll([contribute(digits[900].pixels, 1), contribute(digits[901].pixels, 1)]), 'datanets.NotAtEndOfExtrinsic'],
			[
				// The batch ends with the single record: both end the extrinsic.
				api.tx.utility.batchAll([
					contribute(digits[903].pixels, 2),
					api.tx.datanets.contributeBatch(datanet, [[u8aToHex(digits[902].pixels), 1], [u8aToHex(digits[903].pixels), 2]]),
				]),
				'datanets.OneContributionPerExtrinsic',
			],
		];
		for (const [tx, expected] of cases) {
			const { dispatchError } = await send(tx, k.Charlie);
			assert.equal(dispatchError, expected);
		}
		const after = (await api.call.datanetsApi.datanet(datanet)).unwrap();
		assert.deepEqual(after.toJSON(), before.toJSON(), 'the Datanet is unchanged');
		assert.equal(await reserved(k.Charlie), charlieBefore, 'no deposit was held');
		assert.ok((await api.call.datanetsApi.record(datanet, firstHash)).isSome);
	});

	test('a published version is read back through the runtime API, with its chain root', async () => {
		const count = 300 - REJECTED;
		const { events } = await ok(api.tx.datanets.publishVersion(datanet, count), k.Alice);
		const published = events.find(({ event }) => api.events.datanets.VersionPublished.is(event)).event;
		const version = published.data.version.toNumber();
		assert.equal(version, 1);

		const info = (await api.call.datanetsApi.version(datanet, version)).unwrap();
		assert.equal(info.count.toNumber(), count);

		// Read every record of the version, page by page, and recompute the chain root.
		const records = [];
		for (let start = 0; start < count; start += 100) {
			const page = await api.call.datanetsApi.versionRecords(datanet, version, start, 100);
			records.push(...page);
		}
		assert.equal(records.length, count);
		let root = new Uint8Array(32);
		for (const [i, r] of records.entries()) {
			assert.equal(r.index.toNumber(), i);
			const hex = r.record.toHex();
			const source = contributed.get(hex);
			assert.ok(source, `record ${i} (${hex}) is one that was accepted`);
			assert.equal(r.contributor.toString(), source.who.address);
			assert.equal(r.label.toNumber(), digits[source.index].label);
			root = blake3(u8aConcat(root, r.record.toU8a()));
		}
		// The payloads come from the node's transaction index, each checked against its record.
		const payloads = await payloadsOf(api, records);
		for (const [i, r] of records.entries()) {
			assert.deepEqual(payloads[i], digits[contributed.get(r.record.toHex()).index].pixels);
		}
		assert.equal(u8aToHex(root), info.root.toHex());
		assert.equal(published.data.root.toHex(), info.root.toHex());
	});

	test('a model is registered on the version and an agent on the model, with their deposits', async () => {
		const spec = {
			featurizer: 'Raw',
			architecture: { Mlp2: { hidden: [64, 32] } },
			epochs: 30,
			learningRate: 50_000_000, // 5% in Perbill parts
			batchSize: 32,
			l2: 10_000,
			seed: 42,
		};
		const fee = 10n ** 16n; // 0.01 OPEN per inference
		const ferdieBefore = await reserved(k.Ferdie);
		const { events } = await ok(api.tx.models.register(datanet, 1, spec, fee, 'digits-mlp-64-32'), k.Ferdie);
		const registered = events.find(({ event }) => api.events.models.ModelRegistered.is(event)).event;
		const model = registered.data.model.toNumber();
		const modelDeposit = registered.data.deposit.toBigInt();
		assert.equal(modelDeposit, api.consts.models.modelDeposit.toBigInt() + 16n * api.consts.models.depositPerByte.toBigInt());
		assert.equal((await reserved(k.Ferdie)) - ferdieBefore, modelDeposit);

		const info = (await api.call.modelsApi.model(model)).unwrap();
		// Training, or already Active: the dev node's own attestor may have trained it by now.
		assert.ok(info.status.isTraining || info.status.isActive);
		assert.equal(info.spec.architecture.asMlp2.hidden.map((h) => h.toNumber()).join(','), '64,32');
		assert.equal(info.fee.toBigInt(), fee);

		// A spec that does not fit the Datanet fails with its named error.
		const bad = await send(api.tx.models.register(datanet, 1, { ...spec, featurizer: { HashedNgrams: { dims: 1024 } } }, fee, ''), k.Ferdie);
		assert.equal(bad.dispatchError, 'models.InvalidSpec(FeaturizerMismatch)');
		const noVersion = await send(api.tx.models.register(datanet, 2, spec, fee, ''), k.Ferdie);
		assert.equal(noVersion.dispatchError, 'models.UnknownVersion');

		const bobBefore = await reserved(k.Bob);
		const agentEvents = (await ok(api.tx.agents.register(model, 'digits-bot', 10n ** 15n), k.Bob)).events;
		const agent = agentEvents.find(({ event }) => api.events.agents.AgentRegistered.is(event)).event.data.agent.toNumber();
		const bond = api.consts.agents.agentBond.toBigInt();
		assert.equal((await reserved(k.Bob)) - bobBefore, bond);
		const agentInfo = (await api.call.agentsApi.agent(agent)).unwrap();
		assert.equal(agentInfo.model.toNumber(), model);
		assert.equal(agentInfo.bond.toBigInt(), bond);
		assert.ok(agentInfo.status.isActive);
	});

	test('a Datanet changes hands through pallet-nfts, and its new holder publishes a version', async () => {
		const owner = async () => (await api.call.datanetsApi.datanet(datanet)).unwrap().owner.toString();
		assert.equal((await api.query.nfts.item(0, datanet)).unwrap().owner.toString(), k.Alice.address, 'minted to its creator');
		const aliceReserved = await reserved(k.Alice);
		await ok(api.tx.nfts.transfer(0, datanet, k.Eve.address), k.Alice);
		assert.equal(await owner(), k.Eve.address);
		const info = (await api.call.datanetsApi.datanet(datanet)).unwrap();
		const next = info.versions.toNumber() + 1;
		const count = info.accepted.toNumber();
		assert.equal((await send(api.tx.datanets.publishVersion(datanet, count), k.Alice)).dispatchError, 'datanets.NotOwner');
		// Contributions continue; the new holder publishes them as the next version.
		const d = digits[digits.length - 1];
		await ok(api.tx.datanets.contribute(datanet, u8aToHex(d.pixels), d.label), k.Charlie);
		// A curated Datanet: the new holder reviews, and the former owner no longer may.
		const hash = u8aToHex(recordHash(d.pixels, d.label));
		assert.equal((await send(api.tx.datanets.review(datanet, hash, true), k.Alice)).dispatchError, 'datanets.NotCurator');
		await ok(api.tx.datanets.review(datanet, hash, true), k.Eve);
		await ok(api.tx.datanets.publishVersion(datanet, count + 1), k.Eve);
		const version = (await api.call.datanetsApi.version(datanet, next)).unwrap();
		assert.equal(version.count.toNumber(), count + 1);
		assert.equal(await reserved(k.Alice), aliceReserved, 'the deposit stays on the creator');
	});

	test('an agent with a bond changes hands, and the bond\'s rules still hold', async () => {
		const agent = (await api.query.agents.nextAgentId()).toNumber() - 1;
		assert.equal((await api.call.agentsApi.agent(agent)).unwrap().owner.toString(), k.Bob.address);
		const bond = api.consts.agents.agentBond.toBigInt();
		const bobReserved = await reserved(k.Bob);
		await ok(api.tx.nfts.transfer(2, agent, k.Dave.address), k.Bob);
		assert.equal((await api.call.agentsApi.agent(agent)).unwrap().owner.toString(), k.Dave.address);
		assert.equal((await send(api.tx.agents.setFee(agent, 1n), k.Bob)).dispatchError, 'agents.NotOwner');
		await ok(api.tx.agents.setFee(agent, 10n ** 15n), k.Dave);
		// The bond stays held on Bob; the new holder unregisters, and the unbonding period
		// still holds before anything is released.
		assert.equal(await reserved(k.Bob), bobReserved);
		await ok(api.tx.agents.unregister(agent), k.Dave);
		assert.equal((await send(api.tx.agents.withdrawBond(agent), k.Dave)).dispatchError, 'agents.StillUnbonding');
		assert.equal(await reserved(k.Bob), bobReserved, `the bond of ${bond} is still held`);
		// Nor can the holder burn the agent's item to be rid of it.
		const burned = await send(api.tx.nfts.burn(2, agent), k.Dave);
		assert.match(String(burned.dispatchError), /CallFiltered/);
	});
});
