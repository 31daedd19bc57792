// Proof of Attribution across independent nodes: the four validators of `--chain local`,
// started by scripts/network.sh on loopback, each an attestor with its own engine and `attr`
// key, in one committee of four. Every job's commit round closes when all four have committed,
// and three agreeing reveals decide it; the nodes train bit-identical models, so their weights hashes agree;
// inferences get one consensus result, paid after the 10-block challenge window. Then Eve
// bonds in and lies: the four honest nodes outvote her, and she loses 10% of her bond. Eve and
// Ferdie send every transaction, so that no attestor's own worker competes with the test for
// its nonces.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { Keyring } from '@polkadot/keyring';
import { u8aToHex } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import { startNetwork, VALIDATORS } from '../lib/network.js';
import { attestation, sendAndWait } from '../lib/chain.js';
import { loadDigits } from '../lib/digits.js';

const RECORDS = 150;
const SPEC = {
	featurizer: 'Raw',
	architecture: { Mlp1: { hidden: 16 } },
	epochs: 20,
	learningRate: 50_000_000,
	batchSize: 32,
	l2: 1_000_000,
	checkpoints: 1,
	seed: 3,
};

/** Resolves with the first value `check()` gives that is not undefined, polling every second. */
async function until(check, timeoutMs = 180_000) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const v = await check();
		if (v !== undefined) return v;
		if (Date.now() > deadline) throw new Error(`not reached in ${timeoutMs} ms`);
		await new Promise((r) => setTimeout(r, 1_000));
	}
}

describe('four validators attest in committees of four on --chain local', () => {
	let network;
	let api;
	let k;
	let datanet;
	let model;
	let agentId;

	before(async () => {
		await cryptoWaitReady();
		// The network a user starts with scripts/network.sh, on ports of its own.
		network = await startNetwork({ args: ['-lattribution=info'], name: 'local' });
		api = network.apis[0];
		const keyring = new Keyring({ type: 'sr25519' });
		k = Object.fromEntries(['Alice', 'Bob', 'Charlie', 'Dave', 'Eve', 'Ferdie'].map((n) => [n, keyring.addFromUri(`//${n}`)]));
	});

	after(async () => {
		await network?.stop();
	});

	const ok = async (tx, who) => {
		const r = await sendAndWait(api, tx, who, { timeoutMs: 180_000 });
		assert.equal(r.dispatchError, null, `unexpected ${r.dispatchError}`);
		return r;
	};
	const event = (events, pallet, name) => events.find(({ event: e }) => api.events[pallet][name].is(e))?.event;

	test('the four nodes peer and finalise blocks', async () => {
		for (const a of network.apis) await until(async () => ((await a.rpc.system.health()).peers.toNumber() >= 3 ? true : undefined));
		const start = (await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber();
		await until(async () => {
			const now = (await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber();
			return now >= start + 2 ? now : undefined;
		});
		const attestors = (await api.call.attributionApi.attestors()).map((a) => a.toString());
		assert.deepEqual(attestors, [k.Alice, k.Bob, k.Charlie, k.Dave].map((p) => p.address));
		// What `scripts/network.sh status` tells a user: each validator running, with its three
		// peers and a finalised head.
		const status = await network.script('status');
		console.log(status.trim());
		for (const v of VALIDATORS) {
			const line = status.split('\n').find((l) => l.startsWith(`${v}:`));
			assert.match(line ?? '', /pid \d+, 3 peers, best #\d+, finalised #[1-9]\d*/, `${v}: ${line}`);
		}
	});

	test('a model is trained by independent attestors that agree on its weights', async () => {
		const created = await ok(
			api.tx.datanets.create('digits', 'digits on a local network', 'CC-BY-4.0', { Dense: { dims: 64, classes: 10, maxValue: 16 } }, 'Open'),
			k.Eve,
		);
		datanet = event(created.events, 'datanets', 'DatanetCreated').data.datanet.toNumber();
		const seen = new Set();
		const digits = loadDigits().filter(({ pixels, label }) => {
			const key = `${label}:${u8aToHex(pixels)}`;
			return !seen.has(key) && seen.add(key);
		});
		for (let i = 0; i < RECORDS; i += 75) {
			const calls = digits.slice(i, i + 75).map(({ pixels, label }) => api.tx.datanets.contribute(datanet, u8aToHex(pixels), label));
			await ok(api.tx.utility.batchAll(calls), k.Eve);
		}
		await ok(api.tx.datanets.publishVersion(datanet, RECORDS), k.Eve);
		const registered = await ok(api.tx.models.register(datanet, 1, SPEC, 10n ** 18n, ''), k.Ferdie);
		model = event(registered.events, 'models', 'ModelRegistered').data.model.toNumber();
		const training = await until(async () => {
			const t = await api.call.attributionApi.training(model);
			return t.isSome ? t.unwrap() : undefined;
		});
		const submissions = training.submissions.toNumber();
		console.log(`# model ${model}: ${submissions} submissions, ${training.agreement.toNumber()} agree on ${training.weightsHash.toHex().slice(0, 18)}…, accuracy ${(training.accuracy.toNumber() / 1e7).toFixed(1)}%`);
		assert.ok(submissions >= 3, `${submissions} submissions`);
		assert.equal(training.agreement.toNumber(), submissions, 'every attestor trained the same weights');
		assert.ok((await api.call.modelsApi.model(model)).unwrap().status.isActive);
	});

	test('each inference gets three or more agreeing attestors and one result', async () => {
		const registered = await ok(api.tx.agents.register(model, 'bot', 10n ** 17n), k.Ferdie);
		const agent = event(registered.events, 'agents', 'AgentRegistered').data.agent;
		const queries = loadDigits().slice(-2);
		const window = (await api.query.attribution.stakeParams()).challengeWindow.toNumber();
		// Both at once: each waits out its challenge window before it is paid.
		const sent = [];
		for (const q of queries) {
			const invoked = await ok(api.tx.agents.invoke(agent, u8aToHex(q.pixels), 2n * 10n ** 18n), k.Ferdie);
			const id = event(invoked.events, 'agents', 'InferenceRequested').data.inference.toNumber();
			const at = (await api.rpc.chain.getHeader(invoked.blockHash)).number.toNumber();
			sent.push({ id, at, truth: q.label });
		}
		for (const { id, at, truth } of sent) {
			const info = await until(async () => {
				const i = (await api.call.attributionApi.inference(id)).unwrap();
				return i.status.isCompleted ? i : undefined;
			});
			const agreeing = info.agreeing.map((a) => a.toString());
			const paid = info.completed.unwrap().toNumber() - at;
			console.log(`# inference ${id}: label ${info.status.asCompleted.label.toNumber()} (truth ${truth}), ${agreeing.length} agreeing attestors, ${info.shares.length} records; invoke → claimable reward in ${paid} blocks (commit, reveal, then the ${window}-block challenge window)`);
			assert.ok(agreeing.length >= 3, `${agreeing.length} agreeing`);
			assert.ok(paid > window, 'paid only after the challenge window');
			assert.equal(info.shares.reduce((a, s) => a + s.share.toBigInt(), 0n), 1_000_000_000n);
		}
		agentId = agent;
	});

	test('a lying attestor among four independent honest ones loses the vote and 10% of its bond', async () => {
		// Eve bonds into the set; the commit round waits for every member of the five, so that her
		// lie is counted; results are paid at once here (no window). Alice's sudo call is safe for
		// her worker's nonces: no job is open.
		const stake = (await api.query.attribution.stakeParams()).toJSON();
		await ok(api.tx.attribution.bond(BigInt(stake.minBond)), k.Eve);
		await ok(api.tx.sudo.sudo(api.tx.attribution.setStakeParams({ ...stake, challengeWindow: 0 })), k.Alice);
		const invoked = await ok(api.tx.agents.invoke(agentId, u8aToHex(loadDigits()[200].pixels), 2n * 10n ** 18n), k.Ferdie);
		const inference = event(invoked.events, 'agents', 'InferenceRequested').data.inference.toNumber();
		const { job, committee } = event(invoked.events, 'attribution', 'JobCreated').data;
		assert.equal(committee.length, 5);
		const honest = [k.Alice, k.Bob, k.Charlie, k.Dave];
		await until(async () => {
			const commits = await Promise.all(honest.map((w) => api.query.attribution.commits(job, w.address)));
			return commits.every((c) => c.isSome) ? true : undefined;
		});
		// Eve commits to, then reveals, an outcome that gives all the share to record 0.
		const engineVersion = (await api.call.attributionApi.training(model)).unwrap().engineVersion;
		const forged = { Infer: { engineVersion, label: 0, confidence: 1_000_000_000, shares: [{ record: 0, share: 1_000_000_000 }] } };
		const lie = attestation(api, job, k.Eve.address, forged);
		await ok(lie.commit, k.Eve);
		const bond = (await api.query.attribution.bonds(k.Eve.address)).unwrap().amount.toBigInt();
		await ok(lie.reveal, k.Eve);
		const info = await until(async () => {
			const i = (await api.call.attributionApi.inference(inference)).unwrap();
			return i.status.isCompleted ? i : undefined;
		});
		// The attestors' part goes to the four that revealed the winning outcome, not to Eve (who
		// contributed this Datanet's records, so her contributor's part is paid as the honest
		// shares say).
		assert.deepEqual(info.agreeing.map((a) => a.toString()).sort(), honest.map((w) => w.address).sort());
		assert.notDeepEqual(info.shares.map((s) => [s.record.toNumber(), s.share.toNumber()]), [[0, 1_000_000_000]]);
		const after = (await api.query.attribution.bonds(k.Eve.address)).unwrap().amount.toBigInt();
		assert.equal(after, bond - bond / 10n, 'Eve lost 10% of her bond');
		console.log(`# inference ${inference}: 4 honest nodes outvoted Eve's lie; her bond ${bond / 10n ** 18n} → ${after / 10n ** 18n} OPEN`);
	});
});
