// Proof of Attribution across independent nodes: the four validators of `--chain local` on
// loopback, each an attestor with its own engine and `attr` key, quorum 3. Every job's commit
// round closes at three commits, and the vote on their reveals decides it; the nodes train
// bit-identical models, so their weights hashes agree; inferences get one consensus result,
// paid after the 10-block challenge window. Eve and Ferdie send every transaction, so that no
// attestor's own worker competes with the test for its nonces.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { Keyring } from '@polkadot/keyring';
import { u8aToHex } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import { nodeBinary, startNode } from '../lib/node.js';
import { sendAndWait } from '../lib/chain.js';
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

describe('four validators attest with quorum 3 on --chain local', () => {
	const nodes = [];
	let api;
	let k;
	let datanet;
	let model;

	before(async () => {
		await cryptoWaitReady();
		// Alice's node key is fixed, so that the others can name her as their bootnode.
		const dir = mkdtempSync(path.join(os.tmpdir(), 'openledger-local-'));
		const keyFile = path.join(dir, 'alice.key');
		writeFileSync(keyFile, '0000000000000000000000000000000000000000000000000000000000000001');
		const peerId = execFileSync(nodeBinary(), ['key', 'inspect-node-key', '--file', keyFile]).toString().trim();
		const common = ['--chain', 'local', '-lattribution=info'];
		const alice = await startNode({ args: [...common, '--alice', '--node-key-file', keyFile], name: 'local-alice' });
		nodes.push(alice);
		const boot = `/ip4/127.0.0.1/tcp/${alice.p2pPort}/p2p/${peerId}`;
		// Validators of a non-dev chain need a node key of their own.
		for (const [i, who] of ['bob', 'charlie', 'dave'].entries()) {
			const key = (i + 2).toString(16).padStart(64, '0');
			nodes.push(await startNode({ args: [...common, `--${who}`, '--node-key', key, '--bootnodes', boot], name: `local-${who}` }));
		}
		api = alice.api;
		const keyring = new Keyring({ type: 'sr25519' });
		k = Object.fromEntries(['Alice', 'Bob', 'Charlie', 'Dave', 'Eve', 'Ferdie'].map((n) => [n, keyring.addFromUri(`//${n}`)]));
	});

	after(async () => {
		for (const n of nodes) await n.stop();
	});

	const ok = async (tx, who) => {
		const r = await sendAndWait(api, tx, who, { timeoutMs: 180_000 });
		assert.equal(r.dispatchError, null, `unexpected ${r.dispatchError}`);
		return r;
	};
	const event = (events, pallet, name) => events.find(({ event: e }) => api.events[pallet][name].is(e))?.event;

	test('the four nodes peer and finalise blocks', async () => {
		await until(async () => ((await api.rpc.system.health()).peers.toNumber() >= 3 ? true : undefined));
		const start = (await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber();
		await until(async () => {
			const now = (await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber();
			return now >= start + 2 ? now : undefined;
		});
		const attestors = (await api.call.attributionApi.attestors()).map((a) => a.toString());
		assert.deepEqual(attestors, [k.Alice, k.Bob, k.Charlie, k.Dave].map((p) => p.address));
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
	});
});
