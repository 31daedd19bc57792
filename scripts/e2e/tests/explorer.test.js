// The explorer (explorer/dist, built by `npm run build -w explorer`) in a real browser: Debian's
// headless Chromium, driven by playwright-core (which downloads no browser), against a dev node
// that the test fills through @polkadot/api: a Datanet of digits, a model the attestor trains,
// three paid inferences, and a curated Datanet with records waiting for review; a tenth of the
// records are mislabelled and one is a near-copy, for the quality flags. Every page is
// checked against the runtime APIs, the claim and review buttons sign with the dev accounts, a
// new block updates a page without a reload, and each page is saved as a screenshot in
// $E2E_LOG_DIR/screenshots.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { Keyring } from '@polkadot/keyring';
import { u8aToHex } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { chromium } from 'playwright-core';

import { startNode } from '../lib/node.js';
import { findEvent, ok as okWith, OPEN } from '../lib/chain.js';
import { CHROMIUM, SKIP_BROWSER, serve } from '../lib/explorer.js';
import { loadDigits } from '../lib/digits.js';

const SHOTS = path.join(process.env.E2E_LOG_DIR || path.join(os.tmpdir(), 'openledger-e2e'), 'screenshots');
const PER_CONTRIBUTOR = 100;
const INFERENCES = 3;
const SPEC = { featurizer: 'Raw', architecture: 'SoftmaxRegression', epochs: 20, learningRate: 100_000_000, batchSize: 32, l2: 1_000_000, seed: 1 };

describe('the explorer in headless Chromium against a dev node', { skip: SKIP_BROWSER }, () => {
	let node;
	let api;
	let k;
	let server;
	let browser;
	let page;
	let datanet;
	let curated;
	let model;
	const inferences = [];
	const flipped = new Set(); // positions of the mislabelled records
	const digits = loadDigits();
	const ok = (tx, who) => okWith(api, tx, who);
	const event = (r, pallet, name) => findEvent(api, r.events, pallet, name).data;

	/** Opens `route` (e.g. '#/model/0') and waits until the explorer has rendered it. */
	async function show(route) {
		await page.evaluate((r) => {
			location.hash = r;
		}, route);
		await page.waitForFunction((r) => document.body.dataset.renderedRoute === r, route, { timeout: 60_000 });
	}

	/** Waits until the explorer has rendered the current route at block `n` or later. */
	const renderedAt = (n) => page.waitForFunction((b) => Number(document.body.dataset.renderedBlock) >= b, n, { timeout: 60_000 });
	const shot = (name) => page.screenshot({ path: path.join(SHOTS, `explorer-${name}.png`), fullPage: true });

	before(async () => {
		await cryptoWaitReady();
		mkdirSync(SHOTS, { recursive: true });
		const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
		k = Object.fromEntries(['Alice', 'Bob', 'Charlie', 'Dave', 'Eve', 'Ferdie'].map((n) => [n, keyring.addFromUri(`//${n}`)]));
		node = await startNode({ args: ['--dev', '--sealing', 'instant'], name: 'explorer' });
		api = node.api;

		// A Datanet of digits from Charlie and Dave, a version, a model and three inferences.
		datanet = event(await ok(api.tx.datanets.create('digits', '8×8 handwritten digits', 'CC-BY-4.0', { Dense: { dims: 64, classes: 10, maxValue: 16 } }, 'Open'), k.Alice), 'datanets', 'DatanetCreated').datanet.toNumber();
		// Dave mislabels every fifth of his records (10% of the version), and Charlie adds a
		// near-copy of his record 3 (one value moved by one) as the version's last record.
		for (const [i, who] of [k.Charlie, k.Dave].entries()) {
			const part = digits.slice(i * PER_CONTRIBUTOR, (i + 1) * PER_CONTRIBUTOR).map((d, j) => {
				const flip = who === k.Dave && j % 5 === 0;
				if (flip) flipped.add(i * PER_CONTRIBUTOR + j);
				return [u8aToHex(d.pixels), flip ? (d.label + 1) % 10 : d.label];
			});
			for (let at = 0; at < part.length; at += 50) await ok(api.tx.datanets.contributeBatch(datanet, part.slice(at, at + 50)), who);
		}
		const copy = Uint8Array.from(digits[3].pixels);
		copy[20] = copy[20] === 16 ? 15 : copy[20] + 1;
		await ok(api.tx.datanets.contribute(datanet, u8aToHex(copy), digits[3].label), k.Charlie);
		await ok(api.tx.datanets.publishVersion(datanet, 2 * PER_CONTRIBUTOR + 1), k.Alice);
		model = event(await ok(api.tx.models.register(datanet, 1, SPEC, OPEN, 'digits softmax'), k.Bob), 'models', 'ModelRegistered').model.toNumber();
		for (let i = 0; ; i++) {
			const status = (await api.call.modelsApi.model(model)).unwrap().status;
			if (status.isActive) break;
			assert.ok(status.isTraining && i < 600, `model ${model} is ${status.type}`);
			await new Promise((r) => setTimeout(r, 500));
		}
		const agent = event(await ok(api.tx.agents.register(model, 'digits-bot', OPEN / 10n), k.Ferdie), 'agents', 'AgentRegistered').agent.toNumber();
		for (const q of digits.slice(-INFERENCES)) {
			const r = await ok(api.tx.agents.invoke(agent, u8aToHex(q.pixels), OPEN + OPEN / 10n), k.Eve);
			inferences.push(event(r, 'agents', 'InferenceRequested').inference.toNumber());
		}
		for (const id of inferences) {
			for (let i = 0; ; i++) {
				const inf = (await api.call.attributionApi.inference(id)).unwrap();
				if (inf.status.isCompleted) break;
				assert.ok(inf.status.isPending && i < 600, `inference ${id} is ${inf.status.type}`);
				await new Promise((r) => setTimeout(r, 500));
			}
		}
		// A curated Datanet with two records waiting for Alice's review.
		curated = event(await ok(api.tx.datanets.create('reviewed digits', '', 'CC0', { Dense: { dims: 64, classes: 10, maxValue: 16 } }, 'Curated'), k.Alice), 'datanets', 'DatanetCreated').datanet.toNumber();
		await ok(api.tx.datanets.contributeBatch(curated, digits.slice(500, 502).map((d) => [u8aToHex(d.pixels), d.label])), k.Eve);

		server = await serve();
		browser = await chromium.launch({
			executablePath: CHROMIUM,
			args: ['--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
		});
		page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
		page.on('pageerror', (e) => console.log(`# page error: ${e.message}`));
		await page.goto(`${server.url}/?rpc=ws://127.0.0.1:${node.rpcPort}#/`);
		await page.waitForFunction(() => document.body.dataset.renderedRoute === '#/', null, { timeout: 60_000 });
		await shot('home');
	});

	after(async () => {
		await browser?.close();
		server?.stop();
		await node?.stop();
	});

	test("a Datanet's records and versions render as the runtime API has them", async () => {
		await show(`#/datanet/${datanet}`);
		await shot('datanet');
		const info = (await api.call.datanetsApi.datanet(datanet)).unwrap();
		assert.equal(await page.textContent('[data-testid=accepted]'), String(info.accepted.toNumber()));
		assert.match(await page.textContent('[data-testid=schema]'), /Dense: 64 values of 0..=16, 10 classes/);
		const rows = await page.$$eval('[data-testid=record-row]', (rs) => rs.map((r) => ({ index: Number(r.dataset.index), hash: r.dataset.hash, label: Number(r.querySelector('[data-testid=record-label]').textContent) })));
		const expected = (await api.call.datanetsApi.versionRecords(datanet, 1, 0, 25)).map((r) => ({ index: r.index.toNumber(), hash: r.record.toHex(), label: r.label.toNumber() }));
		assert.equal(rows.length, 25);
		assert.deepEqual(rows, expected);
		// The next page is the next 25 records.
		await show(`#/datanet/${datanet}?page=1`);
		const second = await page.$$eval('[data-testid=record-row]', (rs) => rs.map((r) => Number(r.dataset.index)));
		assert.deepEqual(second, Array.from({ length: 25 }, (_, i) => 25 + i));
	});

	test("a model's status, accuracy and agreed weights hash render", async () => {
		await show(`#/model/${model}`);
		await shot('model');
		const status = (await api.call.modelsApi.model(model)).unwrap().status.asActive;
		assert.equal(await page.textContent('[data-testid=model-status]'), 'Active');
		assert.equal(await page.textContent('[data-testid=weights-hash]'), status.weightsHash.toHex());
		assert.equal(await page.textContent('[data-testid=model-accuracy]'), `${((100 * status.accuracy.toNumber()) / 1e9).toFixed(1)}%`);
		assert.equal(await page.textContent('[data-testid=agreement]'), '1 of 1 reveals');
	});

	test("a model's quality flags render as the chain agreed them, and catch the mislabelled records and the near-copy", async () => {
		await show(`#/model/${model}`);
		await shot('model-flags');
		const { flags } = (await api.call.attributionApi.training(model)).unwrap();
		const suspects = flags.suspects.map((p) => p.toNumber());
		const duplicates = flags.duplicates.map(([p, of]) => [p.toNumber(), of.toNumber()]);
		const rows = await page.$$eval('[data-testid=model-flags] [data-testid=flagged-row]', (rs) => rs.map((r) => [r.dataset.kind, Number(r.dataset.record)]));
		assert.deepEqual(rows, [...suspects.map((p) => ['suspect', p]), ...duplicates.map(([p]) => ['near-duplicate', p])]);
		assert.equal(suspects.length, 16);
		const caught = suspects.filter((p) => flipped.has(p)).length;
		console.log(`# ${caught} of the 16 suspects are among the ${flipped.size} mislabelled records (${((100 * flipped.size) / 201).toFixed(0)}% of the version)`);
		assert.ok(caught >= 8, `${caught} of 16 suspects mislabelled`);
		assert.deepEqual(duplicates, [[2 * PER_CONTRIBUTOR, 3]]);
		// The curator view of the Datanet lists the same flags.
		await show(`#/datanet/${datanet}/curate`);
		await shot('curate-flags');
		const listed = await page.$$eval('[data-testid=flagged] [data-testid=flagged-row]', (rs) => rs.map((r) => Number(r.dataset.record)));
		assert.deepEqual(listed, [...suspects, 2 * PER_CONTRIBUTOR]);
	});

	test("an inference's attributed records and shares match the runtime API", async () => {
		const id = inferences[0];
		await show(`#/inference/${id}`);
		await shot('inference');
		const inf = (await api.call.attributionApi.inference(id)).unwrap();
		const rows = await page.$$eval('[data-testid=share-row]', (rs) => rs.map((r) => ({ record: Number(r.dataset.record), share: Number(r.dataset.share), contributor: r.dataset.contributor })));
		const expected = [];
		for (const s of inf.shares) {
			const [rec] = await api.call.datanetsApi.versionRecords(datanet, 1, s.record, 1);
			expected.push({ record: s.record.toNumber(), share: s.share.toNumber(), contributor: rec.contributor.toString() });
		}
		assert.ok(rows.length > 0);
		assert.deepEqual(rows, expected);
		assert.equal(await page.textContent('[data-testid=inference-status]'), 'Completed');
		assert.equal(await page.textContent('[data-testid=inference-label]'), String(inf.status.asCompleted.asClass.label.toNumber()));
		assert.match(await page.textContent('[data-testid=split]'), /contributors.*model owner.*agent.*attestors.*treasury/s);
	});

	test("a contributor's earnings match rewardsApi, per record and per inference", async () => {
		const who = k.Charlie.address;
		await show(`#/account/${who}`);
		await shot('account');
		const value = (id) => page.getAttribute(`[data-testid=${id}]`, 'data-value').then(BigInt);
		const claimable = (await api.call.rewardsApi.claimable(who)).toBigInt();
		assert.ok(claimable > 0n, 'Charlie has earned something');
		assert.equal(await value('claimable'), claimable);
		assert.equal(await value('earned'), (await api.call.rewardsApi.contributorEarnings(who)).toBigInt());
		const records = await page.$$eval('[data-testid=record-earning]', (rs) => rs.map((r) => ({ datanet: Number(r.dataset.datanet), index: Number(r.dataset.index), amount: r.dataset.amount })));
		assert.ok(records.length > 0);
		for (const r of records) assert.equal(BigInt(r.amount), (await api.call.rewardsApi.recordEarnings(r.datanet, r.index)).toBigInt());
		// Per inference, the same money: each share of the contributors' part, rounded down.
		const perInference = await page.$$eval('[data-testid=inference-earning]', (rs) => rs.map((r) => BigInt(r.dataset.amount)));
		assert.ok(perInference.length > 0 && perInference.length <= INFERENCES);
		assert.equal(perInference.reduce((a, b) => a + b, 0n), records.reduce((a, r) => a + BigInt(r.amount), 0n));
		assert.ok(await page.$('[data-testid=earnings-chart] circle'), 'the chart has points');
	});

	test('the claim button moves the claimable balance to the free balance', async () => {
		const who = k.Charlie.address;
		await show(`#/account/${who}`);
		const claimable = (await api.call.rewardsApi.claimable(who)).toBigInt();
		const free = (await api.query.system.account(who)).data.free.toBigInt();
		await page.click('[data-testid=claim]');
		await page.waitForFunction(() => document.querySelector('[data-testid=claimable]')?.dataset.value === '0', null, { timeout: 60_000 });
		await shot('account-claimed');
		assert.match(await page.textContent('[data-testid=message]'), /^claim: done in block/);
		assert.equal((await api.call.rewardsApi.claimable(who)).toBigInt(), 0n);
		const after = (await api.query.system.account(who)).data.free.toBigInt();
		assert.ok(after > free && after <= free + claimable, `free ${free} -> ${after}, claimable was ${claimable}`);
		assert.equal(BigInt(await page.getAttribute('[data-testid=free]', 'data-value')), after);
	});

	test('a new block updates a view without a reload', async () => {
		await show(`#/datanet/${datanet}`);
		await page.evaluate(() => {
			window.notReloaded = true;
		});
		const before = Number(await page.textContent('[data-testid=accepted]'));
		const extra = digits[600];
		const r = await ok(api.tx.datanets.contribute(datanet, u8aToHex(extra.pixels), extra.label), k.Dave);
		const block = (await api.rpc.chain.getHeader(r.blockHash)).number.toNumber();
		await renderedAt(block);
		await page.waitForFunction((n) => document.querySelector('[data-testid=accepted]')?.textContent === String(n), before + 1, { timeout: 60_000 });
		assert.equal(await page.evaluate(() => window.notReloaded), true);
		assert.equal(await page.getAttribute('[data-testid=chain]', 'data-best').then(Number) >= block, true);
	});

	test('the attestors page shows bond, strikes and the inferences each answered', async () => {
		await show('#/attestors');
		await shot('attestors');
		const rows = await page.$$eval('[data-testid=attestor-row]', (rs) => rs.map((r) => ({ account: r.dataset.account, answered: Number(r.querySelector('[data-testid=answered]').textContent) })));
		const set = (await api.call.attributionApi.attestors()).map(String);
		assert.deepEqual(rows.map((r) => r.account), set);
		assert.equal(rows.find((r) => r.account === k.Alice.address).answered, INFERENCES);
	});

	test('the curator view lists pending records, and accept signs a review as the owner', async () => {
		await show(`#/datanet/${curated}/curate`);
		await shot('curate');
		const pending = await page.$$eval('[data-testid=pending-row]', (rs) => rs.map((r) => r.dataset.hash));
		assert.equal(pending.length, 2);
		const [first] = pending;
		await page.click(`[data-testid=pending-row][data-hash="${first}"] button[data-accept="1"]`);
		await page.waitForFunction(() => document.querySelectorAll('[data-testid=pending-row]').length === 1, null, { timeout: 60_000 });
		const rec = (await api.call.datanetsApi.record(curated, first)).unwrap();
		assert.ok(rec.status.isAccepted, rec.status.type);
		assert.equal((await api.call.datanetsApi.datanet(curated)).unwrap().pending.toNumber(), 1);
	});
	test('the market lists a model for sale, and after the sale the model and the buyer\'s account show the new owner, its owners and no split', async () => {
		const price = 2n * OPEN;
		// Bob splits the owner share with Charlie; the model page shows the split until the sale.
		await ok(api.tx.rewards.setRevenueShares('Model', model, [[k.Bob.address, 1], [k.Charlie.address, 2]]), k.Bob);
		await show(`#/model/${model}`);
		await renderedAt((await api.rpc.chain.getHeader()).number.toNumber());
		const parts = await page.$$eval('[data-testid=revenue-part]', (ps) => ps.map((p) => [p.dataset.account, Number(p.dataset.part)]));
		assert.deepEqual(parts, [[k.Bob.address, 1], [k.Charlie.address, 2]]);
		await ok(api.tx.nfts.setPrice(1, model, price, null), k.Bob);
		await show('#/market');
		await renderedAt((await api.rpc.chain.getHeader()).number.toNumber());
		const listings = await page.$$eval('[data-testid=listing]', (rs) => rs.map((r) => [r.dataset.kind, Number(r.dataset.id), r.dataset.price]));
		assert.deepEqual(listings, [['model', model, price.toString()]]);
		await show(`#/model/${model}`);
		assert.equal(await page.getAttribute('[data-testid=model-price]', 'data-price'), price.toString());
		await ok(api.tx.nfts.buyItem(1, model, price), k.Eve);
		await show('#/market');
		await page.waitForSelector('[data-testid=market-empty]', { timeout: 60_000 });
		await show(`#/model/${model}`);
		await page.waitForFunction((eve) => document.querySelector('[data-testid=model-owner]')?.dataset.owner === eve, k.Eve.address, { timeout: 60_000 });
		assert.equal(await page.$('[data-testid=model-price]'), null, 'no longer for sale');
		assert.equal(await page.$('[data-testid=revenue-shares]'), null, 'the seller\'s split ended with the sale');
		// Its owners: Bob until the sale's block, then Eve.
		const owners = await page.$$eval('[data-testid=owner-row]', (rs) => rs.map((r) => r.dataset.owner));
		assert.deepEqual(owners, [k.Bob.address, k.Eve.address]);
		await shot('model-sold');
		await show(`#/account/${k.Eve.address}`);
		const held = await page.$$eval('[data-testid=asset]', (as) => as.map((a) => [a.dataset.kind, Number(a.dataset.id)]));
		assert.deepEqual(held, [['model', model]]);
	});
});
