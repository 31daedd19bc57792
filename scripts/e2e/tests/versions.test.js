// The versions flood (issue 28, scenario 6): a Datanet owner publishes 1,000 versions of one
// Datanet, each one record longer than the last, and registers a model on every version, so that
// each attestor would hold a thousand copies of the Datanet and a thousand models. The dev node
// (Aura, 6-second blocks) and its attestor are given 1 MiB to hold (`--attribution-held-mib 1`).
// Its off-chain worker trains all 1,000 models; the versions share their records, and what no
// model in memory needs leaves memory, so the engine's own peak (its Prometheus gauge) stays
// within the budget. The node keeps authoring while it works, and afterwards still attests the
// oldest model (long evicted) and the newest. The clients meet these blocks as users do, with
// finality a block or two behind: the newest model's inference goes through `openledger
// invoke` and through the node's fast answer (`attribution_answer`), and the explorer, in
// headless Chromium, shows it and signs the agent owner's claim.
//
// The records are the digits, each pooled to its four quadrants (the sum of a quadrant's 16
// pixels, halved): four values a record, so that a model is small enough for several to fit
// in 1 MiB, and each eviction is of a model the engine really held.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { Keyring } from '@polkadot/keyring';
import { u8aToHex } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import { startNode } from '../lib/node.js';
import { engineMetrics, ok as okWith, until } from '../lib/chain.js';
import { loadDigits } from '../lib/digits.js';
import { publishVersions } from '../lib/adversary.js';
import { cliJson } from '../lib/cli.js';
import { CHROMIUM, SKIP_BROWSER, serve } from '../lib/explorer.js';
import { chromium } from 'playwright-core';

const VERSIONS = 1_000;
const BASE = 20; // records in version 1
const HELD_MIB = 1;
const MODEL_FEE = 10n ** 16n;
const AGENT_FEE = 10n ** 15n;
const SPEC = {
	featurizer: 'Raw',
	architecture: 'SoftmaxRegression',
	epochs: 2,
	learningRate: 50_000_000,
	batchSize: 32,
	l2: 1_000_000,
	seed: 1,
};

/** A digit pooled to its four 4×4 quadrants, each the sum of its pixels halved (0..128). */
function quadrants(pixels) {
	const q = [0, 0, 0, 0];
	for (let i = 0; i < 64; i += 1) q[((i >> 5) << 1) | ((i & 7) >> 2)] += pixels[i];
	return Uint8Array.from(q.map((v) => v >> 1));
}

describe('1,000 versions of one Datanet, each with a model, on an attestor holding 1 MiB', () => {
	let node;
	let api;
	let k;
	let datanet;
	let models;
	let cliInference;
	const records = loadDigits().map(({ pixels, label }) => ({ values: quadrants(pixels), label }));

	const ok = async (tx, who) => (await okWith(api, tx, who)).events.map(({ event }) => event);

	before(async () => {
		await cryptoWaitReady();
		node = await startNode({ args: ['--dev', '--attribution-held-mib', String(HELD_MIB)], name: 'versions' });
		api = node.api;
		const keyring = new Keyring({ type: 'sr25519' });
		k = Object.fromEntries(['Alice', 'Bob', 'Dave', 'Eve', 'Ferdie'].map((n) => [n, keyring.addFromUri(`//${n}`)]));
	});

	after(async () => {
		if (node) await node.stop();
	});

	test('the owner publishes 1,000 versions and registers a model on each', async () => {
		const created = await ok(api.tx.datanets.create('quadrants', 'digits pooled to 2x2', 'CC-BY-4.0', { Dense: { dims: 4, classes: 10, maxValue: 128 } }, 'Open'), k.Bob);
		datanet = created.find((e) => api.events.datanets.DatanetCreated.is(e)).data.datanet.toNumber();
		const flood = await publishVersions(api, k.Bob, datanet, records.slice(0, BASE + VERSIONS - 1), { base: BASE, spec: SPEC, fee: MODEL_FEE });
		models = flood.models;
		assert.equal(flood.versions.length, VERSIONS);
		assert.equal(models.length, VERSIONS);
		const last = (await api.call.datanetsApi.version(datanet, flood.versions.at(-1))).unwrap();
		assert.equal(last.count.toNumber(), BASE + VERSIONS - 1);
	});

	test('the node keeps authoring while its worker trains them', async () => {
		const training = async () => (await api.query.models.models.entries()).filter(([, m]) => m.unwrap().status.isTraining).length;
		const before = await training();
		// Another user's transaction gets its block, finalised, while the jobs wait.
		const events = await ok(api.tx.balances.transferKeepAlive(k.Ferdie.address, 10n ** 18n), k.Eve);
		assert.ok(events.some((e) => api.events.system.ExtrinsicSuccess.is(e)));
		console.log(`# a transfer was included while ${before} of ${VERSIONS} models were training`);
	});

	test('every model becomes Active, and the engine held at most its budget', async () => {
		const ours = new Set(models);
		const statuses = await until(async () => {
			const s = (await api.query.models.models.entries())
				.filter(([key]) => ours.has(key.args[0].toNumber()))
				.map(([, m]) => m.unwrap().status);
			return s.some((status) => status.isTraining) ? undefined : s;
		}, 10 * 60_000, 'every model Active or Failed');
		assert.equal(statuses.filter((status) => status.isActive).length, VERSIONS, 'every model Active');
		const m = await engineMetrics(`http://127.0.0.1:${node.promPort}/metrics`);
		const budget = HELD_MIB * 2 ** 20;
		assert.equal(m.openledger_attribution_held_bytes_budget, budget);
		assert.ok(m.openledger_attribution_held_bytes_peak > 0 && m.openledger_attribution_held_bytes_peak <= budget, JSON.stringify(m));
		assert.ok(m.openledger_attribution_models_held < VERSIONS / 10, `${m.openledger_attribution_models_held} models held`);
		assert.ok(m.openledger_attribution_datasets_held <= m.openledger_attribution_models_held + 1, JSON.stringify(m));
		// Kept as they came, the versions' records alone would be (4 bytes + the engine's 64 of
		// overhead) a record, for every record of every version.
		let unshared = 0;
		for (let v = 1; v <= VERSIONS; v += 1) unshared += (BASE + v - 1) * 68;
		console.log(
			`# engine peak ${m.openledger_attribution_held_bytes_peak} bytes held of a ${budget}-byte budget; ` +
				`${m.openledger_attribution_models_held} models and ${m.openledger_attribution_datasets_held} versions in memory at the end; ` +
				`unshared, the records alone would be ${unshared} bytes`,
		);
	});

	test('the oldest model (evicted long ago) and the newest are still attested, the newest through the command-line client', async () => {
		const probe = records[BASE + VERSIONS];
		const agentOn = async (model) => {
			const registered = await ok(api.tx.agents.register(model, `quadrants-${model}`, AGENT_FEE), k.Ferdie);
			return registered.find((e) => api.events.agents.AgentRegistered.is(e)).data.agent.toNumber();
		};
		// The oldest through @polkadot/api.
		const invoked = await ok(api.tx.agents.invoke(await agentOn(models[0]), u8aToHex(probe.values), MODEL_FEE + AGENT_FEE), k.Dave);
		const inference = invoked.find((e) => api.events.agents.InferenceRequested.is(e)).data.inference.toNumber();
		const info = await until(async () => {
			const i = (await api.call.attributionApi.inference(inference)).unwrap();
			return i.status.isPending ? undefined : i;
		}, 3 * 60_000, `inference ${inference} on model ${models[0]}`);
		assert.ok(info.status.isCompleted, `inference ${inference} on model ${models[0]}: ${info.status.type}`);
		assert.equal(info.shares.reduce((a, s) => a + s.share.toBigInt(), 0n), 1_000_000_000n);
		// The newest as a user would, on these 6-second blocks with finality behind the best
		// block: `openledger invoke` pays in one block and reads the result at the finalised head.
		const agent = await agentOn(models.at(-1));
		const r = await cliJson(node, ['invoke', '--agent', String(agent), '--values', [...probe.values].join(','), '--suri', '//Dave']);
		assert.equal(r.status, 'Completed', JSON.stringify(r));
		const onChain = (await api.call.attributionApi.inference(r.inference)).unwrap();
		assert.equal(r.label, onChain.status.asCompleted.asClass.label.toNumber());
		assert.deepEqual(r.shares.map((x) => x.record), onChain.shares.map((x) => x.record.toNumber()));
		cliInference = r.inference;
		// The answer at once, through the command-line client on these blocks: the node answers
		// before the invoke is in a block; the client finds the inference in a finalised block,
		// waits for the chain's result, and judges the answer by the outcome paid out.
		const now = await cliJson(node, ['invoke', '--agent', String(agent), '--values', [...probe.values].join(','), '--now', '--suri', '//Eve']);
		assert.equal(now.status, 'Completed', JSON.stringify(now));
		assert.equal(now.answer.attestor, k.Alice.address);
		assert.deepEqual([now.answer.matches, now.answer.reported], [true, false]);
		const request = (await api.query.attribution.requests(now.inference)).unwrap();
		assert.equal(request.decided.unwrap().toHex(), now.answer.outcomeHash);
		const paid = (await api.call.attributionApi.inference(now.inference)).unwrap();
		assert.equal(now.label, paid.status.asCompleted.asClass.label.toNumber());
	});

	test('in the explorer, on these blocks: the inference matches the runtime API, and the claim button pays the agent owner', { skip: SKIP_BROWSER }, async () => {
		const server = await serve();
		const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--disable-gpu', '--no-first-run', '--disable-background-networking'] });
		try {
			const page = await browser.newPage();
			page.on('pageerror', (e) => console.log(`# page error: ${e.message}`));
			const show = async (route) => {
				await page.evaluate((r) => {
					location.hash = r;
				}, route);
				await page.waitForFunction((r) => document.body.dataset.renderedRoute === r, route, { timeout: 60_000 });
			};
			await page.goto(`${server.url}/?rpc=ws://127.0.0.1:${node.rpcPort}#/`);
			await page.waitForFunction(() => document.body.dataset.renderedRoute === '#/', null, { timeout: 60_000 });
			await show(`#/inference/${cliInference}`);
			const inf = (await api.call.attributionApi.inference(cliInference)).unwrap();
			assert.equal(await page.textContent('[data-testid=inference-status]'), 'Completed');
			const rows = await page.$$eval('[data-testid=share-row]', (rs) => rs.map((r) => ({ record: Number(r.dataset.record), share: Number(r.dataset.share) })));
			assert.deepEqual(rows, inf.shares.map((x) => ({ record: x.record.toNumber(), share: x.share.toNumber() })));
			// Ferdie's agents earned their 10% (the dev preset has no challenge window): the
			// claim is signed in the browser, waits for its block, and the page shows 0 once the
			// chain does.
			const who = k.Ferdie.address;
			assert.ok((await api.call.rewardsApi.claimable(who)).toBigInt() > 0n);
			await show(`#/account/${who}`);
			await page.click('[data-testid=claim]');
			await page.waitForFunction(() => document.querySelector('[data-testid=claimable]')?.dataset.value === '0', null, { timeout: 60_000 });
			assert.match(await page.textContent('[data-testid=message]'), /^claim: done in block/);
			assert.equal((await api.call.rewardsApi.claimable(who)).toBigInt(), 0n);
		} finally {
			await browser.close();
			server.stop();
		}
	});
});
