// Faults on the four validators of `--chain local` (Alice to Dave, each an attestor; committees
// of 4, a result needs 3), started by scripts/network.sh on 3-second slots (FAST_SLOTS), each
// with its own database on disk, and killed (`network.sh kill`: SIGKILL, as a crash would) and
// restarted (`start --only`) by it:
//
//   1. one validator dies while inferences are attested: blocks and finality go on, every
//      commit round closes at its deadline with three of four, and no paid inference expires;
//   2. it restarts on its old database: it catches up to the best and finalised heads, its
//      engine restores the trained model from disk (no retraining; the weights hash of the file
//      is checked, and the log names the agreed hash), and it attests again;
//   3. two of four die: finality stops and blocks go on; one restarts, and finality resumes and
//      catches up;
//   4. a validator's database is wiped: it syncs from its peers, trains again and attests;
//   5. a validator dies in the middle of a training job: after its restart the job completes,
//      with its answer, and no item of the job's attestations fails (no duplicate answer).
//      It is killed as the job opens, so its commit may or may not have left before it died;
//      either way it answers the rest after its restart, while it syncs. (A reveal sent while
//      its pool was still behind used to be dropped silently, and the attestor was struck for
//      not revealing: the off-chain worker section of docs/proof-of-attribution.md says how
//      that was fixed.)
//
// To see that a restarted node attests again, each of its inferences must count Dave among the
// attestors whose outcome won: every member may commit until all have, so a live Dave always
// votes. Recovery is measured in blocks of Alice's chain and printed; nothing is timed.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';

import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import { FAST_SLOTS, startNetwork } from '../lib/network.js';
import { ok as okWith } from '../lib/chain.js';
import { ChainWatcher, digitsDataset, LOAD_SPEC, OPEN, sendInvocations, setUpAgent, summarise, until } from '../lib/load.js';

describe('the four validators survive faults', () => {
	let network;
	let api;
	let k;
	let agent;
	let fee;
	let inputs;
	let callers;
	let model;
	let datanet;

	const header = async (a, finalised) => (finalised ? a.rpc.chain.getHeader(await a.rpc.chain.getFinalizedHead()) : a.rpc.chain.getHeader());
	const number = async (a, finalised = false) => (await header(a, finalised)).number.toNumber();
	const ok = (tx, who) => okWith(api, tx, who, { until: 'inBlock', timeoutMs: 300_000 });

	/** Sends `n` invocations and waits until each is paid or refunded; returns the summary
	 * and the watcher. */
	async function invoke(n) {
		const watcher = new ChainWatcher(api, await number(api, true));
		await watcher.start();
		try {
			const sent = await sendInvocations([api], { agent, fee, callers, inputs: inputs.slice(0, n), rate: n * 10, seconds: 0.1 });
			assert.equal(sent.rejected, 0, `rejected by the pool: ${sent.firstError}`);
			await watcher.settled(n, 600_000);
		} finally {
			watcher.stop();
		}
		return { s: summarise(watcher), watcher };
	}

	/** The inferences a watcher saw, each with the attestors whose outcome won. */
	async function agreeing(watcher) {
		return Promise.all(
			[...watcher.inferences.keys()].map(async (id) => (await api.call.attributionApi.inference(id)).unwrap().agreeing.map((a) => a.toString())),
		);
	}

	/** Sends `n` invocations and checks that each is paid with Dave among the attestors whose
	 * outcome won. */
	async function daveAnswers(n) {
		const { s, watcher } = await invoke(n);
		assert.equal(s.completed, n);
		for (const who of await agreeing(watcher)) assert.ok(who.includes(k.Dave.address), 'Dave answered each inference');
	}

	/** The attestation events of job `job` in the blocks `watcher` saw, each as
	 * '#block Event(attestor's name)'. */
	async function jobHistory(watcher, job) {
		const names = Object.fromEntries(Object.entries(k).map(([n, pair]) => [pair.address, n]));
		const history = [];
		for (const b of watcher.blocks) {
			const events = await (await api.at(await api.rpc.chain.getBlockHash(b.number))).query.system.events();
			for (const { event: e } of events) {
				if (e.section !== 'attribution' || e.data.job?.toNumber() !== job) continue;
				const who = e.data.attestor ? `(${names[e.data.attestor.toString()] ?? e.data.attestor.toString()})` : '';
				const error = e.data.error ? `(${e.data.error.toString()})` : '';
				history.push(`#${b.number} ${e.method}${who}${error}`);
			}
		}
		return history;
	}

	/** What validator `name`'s log says from byte `from` on (a restart appends to its log). */
	const logSince = (name, from) => readFileSync(network.logFile(name)).subarray(from).toString('utf8');
	/** The length of validator `name`'s log now. */
	const logLength = (name) => statSync(network.logFile(name)).size;

	/** Blocks of Alice's chain until the node of `nodeApi` has reached Alice's best and finalised
	 * heads as they were when it started. */
	async function catchUp(nodeApi) {
		const [best, fin, from] = [await number(api), await number(api, true), await number(api)];
		await until(async () => ((await number(nodeApi)) >= best && (await number(nodeApi, true)) >= fin ? true : undefined), 300_000);
		return (await number(api)) - from;
	}

	before(async () => {
		await cryptoWaitReady();
		network = await startNetwork({ args: FAST_SLOTS.args, name: 'faults', slotMs: FAST_SLOTS.slotMs });
		api = network.api('alice');
		const keyring = new Keyring({ type: 'sr25519' });
		k = Object.fromEntries(['Alice', 'Bob', 'Charlie', 'Dave', 'Eve', 'Ferdie'].map((n) => [n, keyring.addFromUri(`//${n}`)]));
		await until(async () => ((await api.rpc.system.health()).peers.toNumber() >= 3 ? true : undefined));
		({ agent, fee, inputs, callers, model, datanet } = await setUpAgent(api, {
			owner: k.Eve,
			developer: k.Ferdie,
			dataset: digitsDataset(100),
			callers: 6,
			funds: 100n * OPEN,
		}));
		// Results are paid at once (no challenge window), so that each step waits only for its
		// answers. No job is open, so Alice's sudo does not compete with her worker's nonces.
		const stake = (await api.query.attribution.stakeParams()).toJSON();
		await ok(api.tx.sudo.sudo(api.tx.attribution.setStakeParams({ ...stake, challengeWindow: 0 })), k.Alice);
	});

	after(async () => {
		await network?.stop();
	});

	test('1. one validator of four dies while inferences are attested: blocks, finality and every inference is decided', async (t) => {
		const killedAt = await number(api);
		const finalisedAt = await number(api, true);
		await network.kill('dave');
		const { s } = await invoke(6);
		assert.equal(s.refunded, 0, 'no inference expired');
		assert.equal(s.completed, 6, 'every inference paid');
		const fin = await number(api, true);
		assert.ok(fin > finalisedAt + 3, `finality went on: #${finalisedAt} → #${fin}`);
		t.diagnostic(`Dave killed at #${killedAt}; 6 inferences paid (invoke → result p50 / max ${s.toResult.p50} / ${s.toResult.max} blocks, commit round p50 ${s.commitRound.p50}); finalised #${finalisedAt} → #${fin}`);
	});

	test('2. restarted on its database, it catches up, restores its model from disk, and attests again', async (t) => {
		const from = logLength('dave');
		const blocks = await catchUp(await network.restart('dave'));
		await daveAnswers(2);
		const weightsHash = (await api.call.attributionApi.training(model)).unwrap().weightsHash.toHex();
		const log = logSince('dave', from);
		assert.doesNotMatch(log, new RegExp(`model ${model} trained on`), 'not trained again');
		const restored = new RegExp(`model ${model} restored on \\d+ records .*weights (0x[0-9a-f]+)`).exec(log);
		assert.ok(restored, `Dave's log says model ${model} was restored from disk`);
		assert.equal(restored[1], weightsHash, 'the restored weights are the agreed ones');
		t.diagnostic(`Dave reached the best and finalised heads of his restart in ${blocks} blocks, restored model ${model} (${weightsHash.slice(0, 18)}…) and answered every inference`);
	});

	test('3. two of four die: finality stops and blocks go on; one restarts, and finality catches up', async (t) => {
		await Promise.all([network.kill('charlie'), network.kill('dave')]);
		const best = await number(api);
		// Votes already cast may finalise a block or two more.
		await until(async () => ((await number(api)) >= best + 3 ? true : undefined), 300_000);
		const stalled = await number(api, true);
		await until(async () => ((await number(api)) >= best + 7 ? true : undefined), 300_000);
		assert.equal(await number(api, true), stalled, 'no block finalised with two of four');
		const behind = (await number(api)) - stalled;
		assert.ok(behind >= 4, `blocks went on, ${behind} past the finalised head`);
		const restartedAt = await number(api);
		const charlie = await network.restart('charlie');
		await until(async () => ((await number(api, true)) >= restartedAt ? true : undefined), 300_000);
		await catchUp(charlie);
		t.diagnostic(`finality stalled at #${stalled} while blocks reached #${restartedAt}; after Charlie's restart it passed #${restartedAt} ${(await number(api)) - restartedAt} blocks later`);
	});

	test('4. a validator whose database was wiped syncs from its peers, trains again and attests', async (t) => {
		const from = logLength('dave');
		const blocks = await catchUp(await network.restart('dave', { fresh: true }));
		await daveAnswers(2);
		assert.match(logSince('dave', from), new RegExp(`model ${model} trained on`), 'Dave trained the model again');
		t.diagnostic(`wiped, Dave synced to the heads of his restart in ${blocks} blocks, trained model ${model} again and answered every inference`);
	});

	test('5. a validator killed in the middle of a training job: after its restart the job completes with its answer', async (t) => {
		const id = (await api.query.models.nextModelId()).toNumber();
		const watcher = new ChainWatcher(api, await number(api, true));
		await watcher.start();
		// Dave's worker starts on the job in the block that opened it: kill him then.
		const registered = await ok(api.tx.models.register(datanet, 1, { ...LOAD_SPEC, seed: 4 }, OPEN, ''), k.Ferdie);
		const opened = registered.events.find(({ event: e }) => api.events.attribution.JobCreated.is(e)).event.data.job.toNumber();
		await network.kill('dave');
		const killedAt = await number(api);
		const dave = await network.restart('dave');
		const status = await until(async () => {
			const m = (await api.call.modelsApi.model(id)).unwrap().status;
			return m.isTraining ? undefined : m;
		}, 600_000);
		await until(async () => (watcher.next > (await number(api, true)) ? true : undefined));
		watcher.stop();
		assert.ok(status.isActive, `model ${id} is ${status.type}`);
		const training = (await api.call.attributionApi.training(id)).unwrap();
		const history = await jobHistory(watcher, opened);
		assert.equal(training.agreement.toNumber(), 4, `all four, Dave too, trained the same weights; job ${opened}, Dave killed at #${killedAt}: ${history.join('; ')}`);
		const failed = history.filter((h) => h.includes('BatchItemFailed'));
		assert.deepEqual(failed, [], 'no attestation item of the job failed');
		assert.ok((await number(dave)) > 0);
		t.diagnostic(`Dave killed at #${killedAt} in job ${opened}'s training; model ${id} Active ${(await number(api)) - killedAt} blocks later with 4 agreeing (${history.join(', ')})`);
	});
});
