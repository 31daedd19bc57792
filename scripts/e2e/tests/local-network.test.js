// Proof of Attribution across independent nodes: the four validators of `--chain local`,
// started by scripts/network.sh on loopback on 3-second slots (FAST_SLOTS), each an attestor
// with its own engine and `attr` key, in one committee of four. Every job's commit round closes when all four have committed,
// and three agreeing reveals decide it; the nodes train bit-identical models, so their weights hashes agree;
// inferences get one consensus result, paid after the 10-block challenge window. Then Eve
// bonds in and lies: the four honest nodes outvote her, and she loses 10% of her bond. Eve and
// Ferdie send every transaction, so that no attestor's own worker competes with the test for
// its nonces. A fifth node that prunes old block bodies joins, fetches the Datanet's payloads
// over bitswap from the validators, and previews the answers they agreed.

import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { Keyring } from '@polkadot/keyring';
import { u8aToHex } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import { FAST_SLOTS, startNetwork, VALIDATORS } from '../lib/network.js';
import { startNode } from '../lib/node.js';
import { indexedBytes } from '@openledger/client';
import { attestation, findEvent, ok as okWith, sendAndWait, until as untilWith } from '../lib/chain.js';
import { forgedInfer, Racer, Stuffer } from '../lib/adversary.js';
import { loadDigits } from '../lib/digits.js';

const RECORDS = 150;
const SPEC = {
	featurizer: 'Raw',
	architecture: { Mlp1: { hidden: 16 } },
	epochs: 20,
	learningRate: 50_000_000,
	batchSize: 32,
	l2: 1_000_000,
	seed: 3,
};

/** `until` with the patience of four validators on two cores. */
const until = (check, timeoutMs = 180_000) => untilWith(check, timeoutMs);

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
		// Pools of 512 MiB, for the stuffed blocks' backlog (below). The pool's future queue,
		// where a remark that arrives before its sender's previous one waits, holds a tenth of
		// it: at 64 MiB, 6.4 MiB, 32 remarks of 200 KB for all four senders, and two CI runs'
		// blocks were half empty (51%, 31%, 51%; 56%, 0%, 66%) once gossip's disorder overflowed
		// it, the dropped remarks left gaps in their senders' nonces, and everything after a
		// gap waited. 51 MiB holds every remark in flight (4 × 50 × 200 KB); a pool takes memory
		// only for what it holds.
		network = await startNetwork({ args: [...FAST_SLOTS.args, '--pool-kbytes', '524288'], name: 'local', slotMs: FAST_SLOTS.slotMs });
		api = network.apis[0];
		const keyring = new Keyring({ type: 'sr25519' });
		k = Object.fromEntries(['Alice', 'Bob', 'Charlie', 'Dave', 'Eve', 'Ferdie'].map((n) => [n, keyring.addFromUri(`//${n}`)]));
	});

	after(async () => {
		await network?.stop();
	});

	const ok = (tx, who) => okWith(api, tx, who, { timeoutMs: 180_000 });
	const event = (events, pallet, name) => findEvent(api, events, pallet, name);

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
			const rows = digits.slice(i, i + 75).map(({ pixels, label }) => [u8aToHex(pixels), label]);
			await ok(api.tx.datanets.contributeBatch(datanet, rows), k.Eve);
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
			console.log(`# inference ${id}: label ${info.status.asCompleted.asClass.label.toNumber()} (truth ${truth}), ${agreeing.length} agreeing attestors, ${info.shares.length} records; invoke → claimable reward in ${paid} blocks (commit, reveal, then the ${window}-block challenge window)`);
			assert.ok(agreeing.length >= 3, `${agreeing.length} agreeing`);
			assert.ok(paid > window, 'paid only after the challenge window');
			assert.equal(info.shares.reduce((a, s) => a + s.share.toBigInt(), 0n), 1_000_000_000n);
		}
		agentId = agent;
	});

	test('a fifth node that keeps only recent block bodies fetches the payloads over bitswap from the validators, and answers as they did', async () => {
		// The inferences above, as the chain decided them.
		const decided = [];
		for (let id = 0; (await api.call.attributionApi.inference(id)).isSome; id += 1) {
			const info = (await api.call.attributionApi.inference(id)).unwrap();
			if (info.model.toNumber() === model && info.status.isCompleted) decided.push(info);
		}
		assert.ok(decided.length > 0);
		const record = (await api.call.datanetsApi.versionRecords(datanet, 1, 0, 1))[0];
		const content = record.payload.unwrap().asIndexed.content.toHex();
		// The validators serve the Datanet's payloads (scripts/network.sh starts them with
		// --ipfs-server); the fifth node keeps the bodies of the last 8 finalized blocks only.
		assert.ok((await indexedBytes(api, content)).length > 0);
		const fifth = await startNode({
			name: 'local-fifth',
			args: ['--chain', network.chainSpec, '--bootnodes', network.bootnode, '--ipfs-server', '--blocks-pruning', '8', '--rpc-methods', 'unsafe', '-lattribution=info'],
		});
		try {
			const head = (await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber();
			await until(async () => ((await fifth.api.rpc.chain.getHeader(await fifth.api.rpc.chain.getFinalizedHead())).number.toNumber() >= head ? true : undefined));
			// It imported the contributions' blocks, then pruned their bodies and their bytes (not
			// found, rather than "major syncing").
			await assert.rejects(indexedBytes(fifth.api, content), /does not serve .*Transaction not found/);
			const queries = loadDigits().slice(-2);
			for (const [i, q] of queries.entries()) {
				const preview = await fifth.api.rpc.attribution.preview(model, u8aToHex(q.pixels));
				const chain = decided[i];
				assert.equal(preview.answer.asClass.label.toNumber(), chain.status.asCompleted.asClass.label.toNumber(), `query ${i}: the validators' answer`);
				const shared = (p) => p.proponents.map((s) => [s.record.toNumber(), s.share.toNumber()]);
				assert.deepEqual(
					shared(preview),
					chain.shares.map((s) => [s.record.toNumber(), s.share.toNumber()]),
					`query ${i}: the records and shares the validators agreed`,
				);
			}
		} finally {
			await fifth.stop();
		}
		// Read once the node has stopped and its whole log is written.
		assert.match(readFileSync(fifth.logFile, 'utf8'), /fetching \d+ payload blocks over bitswap/);
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

	test('two attackers bonded in race every commit with a tip, one lying and one under a fake engine version: the committee decides, and both lose', async () => {
		// Eve, who lied above, leaves (her strike stays with her); Mallory and Trudy bond in.
		// Every committee is now the four honest validators and the two attackers: a result
		// needs four votes.
		const stake = (await api.query.attribution.stakeParams()).toJSON();
		const bond = BigInt(stake.minBond);
		await ok(api.tx.attribution.unbond(), k.Eve);
		const keyring = new Keyring({ type: 'sr25519' });
		const [mallory, trudy] = ['//Mallory', '//Trudy'].map((s) => keyring.addFromUri(s));
		await ok(api.tx.utility.batchAll([mallory, trudy].map((p) => api.tx.balances.transferKeepAlive(p.address, 2n * bond))), k.Eve);
		for (const p of [mallory, trudy]) await ok(api.tx.attribution.bond(bond), p);
		const engineVersion = (await api.query.attribution.consensusParams()).engineVersion.toNumber();
		// They commit the moment a job appears, with a tip, and reveal the moment they can:
		// Mallory the lie, Trudy the lie labelled with an engine version of her own.
		const racer = new Racer(api, [mallory, trudy], { outcomeOf: (p) => forgedInfer(p === mallory ? engineVersion : 4242), tip: 10n ** 16n });
		await racer.start();
		const sent = [];
		try {
			for (const q of loadDigits().slice(201, 203)) {
				const invoked = await ok(api.tx.agents.invoke(agentId, u8aToHex(q.pixels), 2n * 10n ** 18n), k.Ferdie);
				const { job } = event(invoked.events, 'attribution', 'JobCreated').data;
				const at = (await api.rpc.chain.getHeader(invoked.blockHash)).number.toNumber();
				sent.push({ id: event(invoked.events, 'agents', 'InferenceRequested').data.inference.toNumber(), job: job.toNumber(), at });
			}
			for (const { id, job, at } of sent) {
				const info = await until(async () => {
					const i = (await api.call.attributionApi.inference(id)).unwrap();
					return i.status.isCompleted || i.status.isRefunded ? i : undefined;
				});
				assert.ok(info.status.isCompleted, `inference ${id} is ${info.status.type}`);
				const answered = racer.answered.get(job) ?? [];
				assert.deepEqual(answered.map((a) => a.who).sort(), [mallory.address, trudy.address].sort(), `both attackers committed to job ${job}`);
				assert.deepEqual(info.agreeing.map((a) => a.toString()).sort(), [k.Alice, k.Bob, k.Charlie, k.Dave].map((w) => w.address).sort());
				assert.notDeepEqual(info.shares.map((s) => [s.record.toNumber(), s.share.toNumber()]), [[0, 1_000_000_000]]);
				console.log(`# inference ${id} (job ${job}): the four honest nodes decided it despite the racing attackers, invoke → result ${info.completed.unwrap().toNumber() - at} blocks`);
			}
		} finally {
			await racer.stop();
		}
		assert.deepEqual(racer.errors, [], 'the attackers got every commit in');
		for (const { job } of sent) {
			const trudys = racer.answered.get(job).find((a) => a.who === trudy.address);
			assert.equal(trudys.revealError, 'attribution.WrongEngineVersion', 'a fake engine version is refused');
		}
		// Two lost votes cost Mallory 10% twice; two commits Trudy could not open 1% twice.
		const after = async (p) => (await api.query.attribution.bonds(p.address)).unwrap().amount.toBigInt();
		const twice = (b, part) => b - b / part - (b - b / part) / part;
		assert.equal(await after(mallory), twice(bond, 10n));
		assert.equal(await after(trudy), twice(bond, 100n));
		for (const w of [k.Alice, k.Bob, k.Charlie, k.Dave]) {
			assert.equal((await api.query.attribution.bonds(w.address)).unwrap().amount.toBigInt(), bond, `${w.address} lost nothing`);
		}
		// They leave; their strikes stay with them.
		for (const p of [mallory, trudy]) await ok(api.tx.attribution.unbond(), p);
	});

	test('blocks stuffed with tipped transactions through a whole inference: every honest commit and reveal still lands', async () => {
		const keyring = new Keyring({ type: 'sr25519' });
		const stuffers = network.apis.map((_, i) => keyring.addFromUri(`//Stuffer${i}`));
		await ok(api.tx.utility.batchAll(stuffers.map((p) => api.tx.balances.transferKeepAlive(p.address, 10_000n * 10n ** 18n))), k.Eve);
		const maxLength = api.consts.system.blockLength.max.normal.toNumber();
		// Remarks of 200 KB, each with a tip of 0.1 OPEN, sent to every validator (each author
		// builds from its own pool), keep the normal share of every block full while the
		// inference is attested. Every pool receives every sender's remarks by gossip: 4 × 50 ×
		// 200 KB stay within the network's pools and their future queues (above).
		const senders = stuffers.map((pair, i) => ({ api: network.apis[i], pair }));
		const stuffer = new Stuffer(senders, { bytes: 200_000, inFlight: 50, tip: 10n ** 17n });
		await stuffer.start();
		let info;
		let from;
		let to;
		try {
			// The attack is on before the inference: blocks already full, and the pools holding
			// six blocks' worth more, so that the blocks of the commit and reveal rounds are full
			// however slowly this process refills them. (With one block's worth, a starved test
			// process once left the reveal's block half empty and the next one empty.)
			const perBlock = Math.ceil(maxLength / 200_000);
			await until(async () => (stuffer.included >= 20 && stuffer.pooled >= 6 * perBlock ? true : undefined));
			// The caller outbids the stuffers for its place in the normal share (a tip for a
			// small transaction weighs more than the same tip for a large one).
			const invoked = await sendAndWait(api, api.tx.agents.invoke(agentId, u8aToHex(loadDigits()[210].pixels), 2n * 10n ** 18n), k.Ferdie, {
				timeoutMs: 180_000,
				sign: { tip: 10n ** 17n },
			});
			assert.equal(invoked.dispatchError, null);
			from = (await api.rpc.chain.getHeader(invoked.blockHash)).number.toNumber();
			const id = event(invoked.events, 'agents', 'InferenceRequested').data.inference.toNumber();
			info = await until(async () => {
				const i = (await api.call.attributionApi.inference(id)).unwrap();
				return i.status.isCompleted || i.status.isRefunded ? i : undefined;
			});
			to = info.completed.isSome ? info.completed.unwrap().toNumber() : from;
		} finally {
			await stuffer.stop();
		}
		assert.ok(info.status.isCompleted, `the inference is ${info.status.type}`);
		assert.deepEqual(info.agreeing.map((a) => a.toString()).sort(), [k.Alice, k.Bob, k.Charlie, k.Dave].map((w) => w.address).sort(), 'every honest member revealed');
		// The blocks of the commit and reveal rounds were full of the stuffers' remarks.
		const fills = [];
		let struck = 0;
		for (let b = from + 1; b <= to; b += 1) {
			const hash = await api.rpc.chain.getBlockHash(b);
			const { block } = await api.rpc.chain.getBlock(hash);
			const stuffed = block.extrinsics.filter((x) => x.method.section === 'system' && x.method.method === 'remark').reduce((n, x) => n + x.encodedLength, 0);
			fills.push(Math.round((100 * stuffed) / maxLength));
			struck += (await (await api.at(hash)).query.system.events()).filter(({ event: e }) => api.events.attribution.Struck.is(e)).length;
		}
		console.log(`# stuffed: ${stuffer.included} remarks of 200 KB included; blocks #${from + 1}–#${to} held ${fills.join('%, ')}% of the normal share in remarks; invoke → result ${to - from} blocks`);
		assert.ok(fills.filter((f) => f >= 75).length * 2 >= fills.length, `the blocks were full: ${fills} (the stuffers' errors: ${stuffer.errors.slice(0, 3)})`);
		assert.equal(struck, 0, 'no member was struck for a commit it could not reveal');
	});
});
