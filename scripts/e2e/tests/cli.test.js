// The command-line client (`client/bin/openledger.js`) end to end, as a contributor and a model
// developer would run it against a dev node: a Datanet is created; a contributor whose key is a
// Polkadot.js JSON keystore uploads 300 digits from a CSV file, is interrupted (SIGKILL) after
// two batches, and runs the same command again, which sends only the rest; a malformed row is
// named by its line and nothing is sent; a wrong password fails with the key's exit status. Then
// the version is published, a model registered and watched until the attestor trains it, its
// quality flags listed, an agent registered and invoked, the contributor's next earnings sent
// to a new wallet, and its earnings shown and claimed; the model is listed, bought and given
// back through pallet-nfts, and its owner share split with another account, settled, and
// ended by a transfer. Every step's output is checked against the runtime APIs.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { recordHash } from '@openledger/client';

import { repoRoot, startNode } from '../lib/node.js';
import { OPEN, sendAndWait } from '../lib/chain.js';
import { cli, cliJson as json } from '../lib/cli.js';

const RECORDS = 300;
const BATCH = 25;
const PASSWORD = 'correct horse battery staple';

describe('the openledger command-line client against a dev node', () => {
	let node;
	let api;
	let k;
	let contributor; // from the keystore
	let keystore;
	let dir;
	let csv;
	let datanet;
	let model;
	let agent;
	const digits = readFileSync(path.join(repoRoot, 'data', 'digits', 'digits.csv'), 'utf8').trim().split('\n');

	before(async () => {
		await cryptoWaitReady();
		const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
		k = Object.fromEntries(['Alice', 'Bob', 'Dave', 'Ferdie'].map((n) => [n, keyring.addFromUri(`//${n}`)]));
		// What Polkadot.js apps exports (Accounts → Export account): the pair's JSON, encrypted.
		contributor = keyring.addFromUri('//CliContributor');
		dir = mkdtempSync(path.join(os.tmpdir(), 'openledger-cli-'));
		keystore = path.join(dir, 'contributor.json');
		writeFileSync(keystore, JSON.stringify(contributor.toJson(PASSWORD)));
		// The header and the first RECORDS digits: the file format the CLI reads as is.
		csv = path.join(dir, 'digits.csv');
		writeFileSync(csv, `${digits.slice(0, RECORDS + 1).join('\n')}\n`);
		node = await startNode({ args: ['--dev', '--sealing', 'instant'], name: 'cli' });
		api = node.api;
		const funded = await sendAndWait(api, api.tx.balances.transferKeepAlive(contributor.address, 1_000n * OPEN), k.Alice);
		assert.equal(funded.dispatchError, null);
	});

	after(async () => {
		await node?.stop();
	});

	test('--help describes every command, and a wrong command line exits 2', async () => {
		const top = await cli(node, ['--help']);
		assert.equal(top.status, 0);
		for (const command of ['create', 'contribute', 'publish', 'fetch-version', 'register', 'watch', 'flags', 'agent', 'invoke', 'earnings', 'payee', 'shares', 'settle', 'claim', 'list', 'buy', 'transfer']) {
			assert.match(top.stdout, new RegExp(`\\n  ${command} +\\S`), command);
			const one = await cli(node, [command, '--help']);
			assert.equal(one.status, 0, command);
			assert.match(one.stdout, new RegExp(`^openledger ${command}: .*\\n\\nusage: openledger ${command}`), command);
		}
		const unknown = await cli(node, ['contribute', '--datanet', '0', '--bogus']);
		assert.equal(unknown.status, 2);
		assert.match(unknown.stderr, /Unknown option '--bogus'/);
		const unreachable = await cli({ rpcPort: 1 }, ['claim', '--suri', '//Alice']);
		assert.equal(unreachable.status, 5);
		assert.match(unreachable.stderr, /cannot connect to ws:\/\/127\.0\.0\.1:1/);
	});

	test('create makes a Dense Datanet', async () => {
		const r = await json(node, ['create', '--name', 'digits by the CLI', '--schema', 'dense:64:10:16', '--suri', '//Alice']);
		datanet = r.datanet;
		const info = (await api.call.datanetsApi.datanet(datanet)).unwrap();
		assert.equal(info.owner.toString(), k.Alice.address);
		assert.deepEqual(info.schema.toJSON(), { dense: { dims: 64, classes: 10, maxValue: 16 } });
	});

	test('a wrong keystore password fails with exit status 4 and sends nothing', async () => {
		const nonce = (await api.query.system.account(contributor.address)).nonce.toNumber();
		const r = await cli(node, ['contribute', '--datanet', String(datanet), '--file', csv, '--keystore', keystore], { input: 'not the password\n' });
		assert.equal(r.status, 4, r.stderr);
		assert.match(r.stderr, new RegExp(`wrong password for ${keystore}`));
		assert.equal((await api.query.system.account(contributor.address)).nonce.toNumber(), nonce);
	});

	test('a malformed row is named by its line, and nothing is sent', async () => {
		const bad = path.join(dir, 'bad.csv');
		const lines = digits.slice(0, 11);
		lines[3] = lines[3].split(',').slice(0, 40).join(','); // line 4 of the file: 39 values
		lines[7] = lines[7].replace(/^\d+,/, '12,'); // line 8: a label out of range
		writeFileSync(bad, `${lines.join('\n')}\n`);
		const before = (await api.call.datanetsApi.datanet(datanet)).unwrap().accepted.toNumber();
		const r = await cli(node, ['contribute', '--datanet', String(datanet), '--file', bad, '--keystore', keystore], { input: `${PASSWORD}\n` });
		assert.equal(r.status, 3, r.stderr);
		assert.match(r.stderr, /bad\.csv: line 4: expected 64 values after the label, found 39/);
		assert.match(r.stderr, /bad\.csv: line 8: label 12 is not below the schema's 10 classes/);
		assert.match(r.stderr, /2 invalid rows; nothing was sent/);
		assert.equal((await api.call.datanetsApi.datanet(datanet)).unwrap().accepted.toNumber(), before);
	});

	test('an interrupted contribute resumes: the second run sends only what is not on chain', async () => {
		const args = ['contribute', '--datanet', String(datanet), '--file', csv, '--batch', String(BATCH), '--keystore', keystore];
		// Killed (SIGKILL, as a crash) once two batches are in blocks.
		const first = await cli(node, args, {
			input: `${PASSWORD}\n`,
			onStderr: (text, child) => {
				if (new RegExp(`^${2 * BATCH}/${RECORDS} records`, 'm').test(text)) child.kill('SIGKILL');
			},
		});
		assert.equal(first.signal, 'SIGKILL', `the first run was not interrupted:\n${first.stderr}`);
		// A batch sent just before the kill may still land: wait until the pool is empty.
		while ((await api.rpc.author.pendingExtrinsics()).length > 0) await new Promise((r) => setTimeout(r, 200));
		const done = (await api.call.datanetsApi.datanet(datanet)).unwrap().accepted.toNumber();
		assert.ok(done >= 2 * BATCH && done < RECORDS && done % BATCH === 0, `${done} records after the interruption`);

		const second = await cli(node, [...args, '--json'], { input: `${PASSWORD}\n` });
		assert.equal(second.status, 0, second.stderr);
		const r = JSON.parse(second.stdout);
		assert.match(second.stderr, new RegExp(`${RECORDS} records in .*: ${done} already on chain, ${RECORDS - done} to send in batches of ${BATCH}`));
		assert.deepEqual(r, { datanet, inFile: RECORDS, invalid: 0, skipped: done, contributed: RECORDS - done, accepted: RECORDS - done, pending: 0 });
		// Every record of the file is on chain once, in file order, from the keystore's account.
		const info = (await api.call.datanetsApi.datanet(datanet)).unwrap();
		assert.equal(info.accepted.toNumber(), RECORDS);
		const published = await json(node, ['publish', '--datanet', String(datanet), '--suri', '//Alice']);
		assert.equal(published.version, 1);
		assert.equal(published.count, RECORDS);
		const records = [];
		for (let at = 0; at < RECORDS; at += 100) records.push(...(await api.call.datanetsApi.versionRecords(datanet, 1, at, 100)));
		const expected = digits.slice(1, RECORDS + 1).map((line) => {
			const v = line.split(',').map(Number);
			return recordHash(Uint8Array.from(v.slice(1)), v[0]);
		});
		assert.deepEqual(records.map((x) => x.record.toHex()), expected);
		assert.ok(records.every((x) => x.contributor.toString() === contributor.address));

		// A third run finds everything on chain and sends nothing.
		const third = await json(node, args, { input: `${PASSWORD}\n` });
		assert.equal(third.skipped, RECORDS);
		assert.equal(third.contributed, 0);
	});

	test('fetch-version downloads the version from the node\'s transaction index, checked record by record and against its root', async () => {
		const out = path.join(dir, 'version-1.jsonl');
		const got = await json(node, ['fetch-version', '--datanet', String(datanet), '--version', '1', '--out', out]);
		const version = (await api.call.datanetsApi.version(datanet, 1)).unwrap();
		assert.deepEqual(got, { datanet, version: 1, records: RECORDS, removed: 0, root: version.root.toHex(), out });
		const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
		// The file's rows, in order, with their labels and values.
		assert.deepEqual(
			lines.map((l) => [l.label, ...l.values]),
			digits.slice(1, RECORDS + 1).map((line) => line.split(',').map(Number)),
		);
		assert.ok(lines.every((l, i) => l.index === i && l.contributor === contributor.address));
		// No such version: named, exit 1.
		const missing = await cli(node, ['fetch-version', '--datanet', String(datanet), '--version', '9', '--out', out]);
		assert.equal(missing.status, 1);
		assert.match(missing.stderr, /has no version 9/);
	});

	test('register and watch: the attestor trains the model, and watch exits 0 with its accuracy', async () => {
		const spec = { featurizer: 'Raw', architecture: 'SoftmaxRegression', epochs: 20, learningRate: 100_000_000, batchSize: 32, l2: 1_000_000, seed: 1 };
		const specFile = path.join(dir, 'spec.json');
		writeFileSync(specFile, JSON.stringify(spec));
		const r = await json(node, ['register', '--datanet', String(datanet), '--version', '1', '--spec', specFile, '--fee', '1', '--suri', '//Bob']);
		model = r.model;
		const watched = await json(node, ['watch', '--model', String(model), '--timeout', '300']);
		const status = (await api.call.modelsApi.model(model)).unwrap().status;
		assert.ok(status.isActive, status.type);
		assert.equal(watched.status, 'Active');
		assert.equal(watched.weightsHash, status.asActive.weightsHash.toHex());
		assert.equal(watched.accuracy, status.asActive.accuracy.toNumber() / 1e9);
		assert.equal(watched.agreement, 1);
		assert.ok(watched.accuracy > 0.7, `accuracy ${watched.accuracy}`);
		// The quality flags, with each flagged record read back.
		const flags = await json(node, ['flags', '--model', String(model)]);
		const agreed = (await api.call.attributionApi.training(model)).unwrap().flags;
		assert.deepEqual(flags.suspects.map((r) => r.index), agreed.suspects.map((p) => p.toNumber()));
		assert.deepEqual(flags.duplicates.map((r) => [r.index, r.of.index]), agreed.duplicates.map(([p, of]) => [p.toNumber(), of.toNumber()]));
		assert.equal(flags.suspects.length, 16);
		for (const r of flags.suspects) {
			const [rec] = await api.call.datanetsApi.versionRecords(datanet, 1, r.index, 1);
			assert.deepEqual([r.hash, r.contributor, r.label], [rec.record.toHex(), rec.contributor.toString(), rec.label.toNumber()]);
		}
	});

	test('register --mix: a weighted source, with the named errors of a bad mix', async () => {
		const specFile = path.join(dir, 'spec.json');
		// Both forms at once, or a malformed part, are usage errors before anything is sent.
		const both = await cli(node, ['register', '--datanet', String(datanet), '--version', '1', '--mix', `${datanet}:1`, '--spec', specFile, '--suri', '//Bob']);
		assert.equal(both.status, 2);
		const malformed = await cli(node, ['register', '--mix', `${datanet}-1`, '--spec', specFile, '--suri', '//Bob']);
		assert.equal(malformed.status, 2);
		assert.match(malformed.stderr, /is not ID:VERSION or ID:VERSION:WEIGHT/);
		// One Datanet twice is the chain's named error.
		const twice = await cli(node, ['register', '--mix', `${datanet}:1,${datanet}:1:2`, '--spec', specFile, '--suri', '//Bob']);
		assert.notEqual(twice.status, 0);
		assert.match(twice.stderr, /DuplicateDatanet/);
		const r = await json(node, ['register', '--mix', `${datanet}:1:2`, '--spec', specFile, '--suri', '//Bob']);
		const count = (await api.call.datanetsApi.version(datanet, 1)).unwrap().count.toNumber();
		const stored = (await api.call.modelsApi.model(r.model)).unwrap().sources.map((src) => [src.datanet.toNumber(), src.version.toNumber(), src.records.toNumber(), src.weight.toNumber()]);
		assert.deepEqual(stored, [[datanet, 1, count, 2]]);
		assert.deepEqual(r.sources, [{ datanet, version: 1, weight: 2 }]);
		// A spec without a method is attributed by the influence function; one may name replay,
		// and a method the chain does not know is a usage error.
		assert.equal((await api.call.modelsApi.model(r.model)).unwrap().spec.method.toString(), 'Influence');
		const spec = JSON.parse(readFileSync(specFile, 'utf8'));
		const replayed = await json(node, ['register', '--datanet', String(datanet), '--version', '1', '--spec', JSON.stringify({ ...spec, method: 'Replay' }), '--suri', '//Bob']);
		assert.equal((await api.call.modelsApi.model(replayed.model)).unwrap().spec.method.toString(), 'Replay');
		const unknown = await cli(node, ['register', '--datanet', String(datanet), '--version', '1', '--spec', JSON.stringify({ ...spec, method: 'Guess' }), '--suri', '//Bob']);
		assert.equal(unknown.status, 2);
		assert.match(unknown.stderr, /--spec/);
	});

	test('agent and invoke: a paid inference, its label and its attributed records', async () => {
		agent = (await json(node, ['agent', '--model', String(model), '--fee', '0.1', '--suri', '//Ferdie'])).agent;
		const query = digits[RECORDS + 1].split(',');
		const r = await json(node, ['invoke', '--agent', String(agent), '--values', query.slice(1).join(','), '--suri', '//Dave']);
		const inf = (await api.call.attributionApi.inference(r.inference)).unwrap();
		assert.equal(r.status, 'Completed');
		assert.equal(r.label, inf.status.asCompleted.asClass.label.toNumber());
		assert.deepEqual(r.shares.map((s) => s.record), inf.shares.map((s) => s.record.toNumber()));
		assert.ok(r.shares.length > 0);
		assert.ok(r.shares.every((s) => s.contributor === contributor.address));
		assert.equal(r.shares.reduce((a, s) => a + Math.round(s.share * 1e9), 0), 1e9);
		// A value out of the schema's range is refused before anything is paid.
		const bad = await cli(node, ['invoke', '--agent', String(agent), '--values', query.slice(1).map(() => '99').join(','), '--suri', '//Dave']);
		assert.equal(bad.status, 2);
		assert.match(bad.stderr, /the input does not fit Datanet \d+: value 1 is 99, outside 0..=16/);
	});

	test('payee: what the contributor\'s records earn next goes to a new wallet, and what accrued stays', async () => {
		const wallet = new Keyring({ type: 'sr25519' }).addFromUri('//CliNewWallet').address;
		const claimable = async (who) => (await api.call.rewardsApi.claimable(who)).toBigInt();
		const earned = async () => (await api.call.rewardsApi.contributorEarnings(contributor.address)).toBigInt();
		const [accrued, total] = [await claimable(contributor.address), await earned()];
		assert.ok(accrued > 0n, 'the contributor has earned before');
		const p = await json(node, ['payee', '--to', wallet, '--keystore', keystore], { input: `${PASSWORD}\n` });
		assert.deepEqual(p, { account: contributor.address, payee: wallet });
		assert.equal((await api.query.rewards.payees(contributor.address)).unwrap().toString(), wallet);
		assert.equal((await json(node, ['earnings', '--account', contributor.address])).payee, wallet);
		// The next inference credits the contributor's records (it contributed them all): the
		// wallet is paid all of it, and the contributor's claimable balance does not move.
		const query = digits[RECORDS + 2].split(',');
		const r = await json(node, ['invoke', '--agent', String(agent), '--values', query.slice(1).join(','), '--suri', '//Dave']);
		assert.equal(r.status, 'Completed');
		const gained = (await earned()) - total;
		assert.ok(gained > 0n);
		assert.equal(await claimable(wallet), gained);
		assert.equal(await claimable(contributor.address), accrued);
		// Neither or both of --to and --clear is a usage error; --clear pays the contributor again.
		assert.equal((await cli(node, ['payee', '--suri', '//Dave'])).status, 2);
		assert.equal((await cli(node, ['payee', '--to', wallet, '--clear', '--suri', '//Dave'])).status, 2);
		const cleared = await json(node, ['payee', '--clear', '--keystore', keystore], { input: `${PASSWORD}\n` });
		assert.equal(cleared.payee, null);
		assert.ok((await api.query.rewards.payees(contributor.address)).isNone);
	});

	test('earnings match the rewards API, and claim moves the claimable balance to the free balance', async () => {
		const e = await json(node, ['earnings', '--account', contributor.address]);
		const claimable = (await api.call.rewardsApi.claimable(contributor.address)).toBigInt();
		assert.ok(claimable > 0n);
		assert.equal(BigInt(e.claimable), claimable);
		assert.equal(BigInt(e.total), (await api.call.rewardsApi.contributorEarnings(contributor.address)).toBigInt());
		assert.ok(e.records.length > 0);
		for (const r of e.records) assert.equal(BigInt(r.earned), (await api.call.rewardsApi.recordEarnings(r.datanet, r.index)).toBigInt());
		// The total also counts the epoch emission, which is not per record.
		assert.ok(e.records.reduce((a, r) => a + BigInt(r.earned), 0n) <= BigInt(e.total));

		const free = (await api.query.system.account(contributor.address)).data.free.toBigInt();
		const c = await json(node, ['claim', '--keystore', keystore], { input: `${PASSWORD}\n` });
		assert.equal(BigInt(c.amount), claimable);
		assert.equal((await api.call.rewardsApi.claimable(contributor.address)).toBigInt(), 0n);
		const after = (await api.query.system.account(contributor.address)).data.free.toBigInt();
		assert.ok(after > free && after <= free + claimable, `free ${free} -> ${after}, claimed ${claimable}`);
		// Nothing left: the chain's error, named, with exit status 1.
		const again = await cli(node, ['claim', '--keystore', keystore], { input: `${PASSWORD}\n` });
		assert.equal(again.status, 1);
		assert.match(again.stderr, /claim: the chain refused it: rewards\.NothingToClaim/);
	});

	test('list, buy and transfer: a model changes hands through pallet-nfts, and its new owner sets its fee', async () => {
		const owner = async () => (await api.call.modelsApi.model(model)).unwrap().owner.toString();
		assert.equal(await owner(), k.Bob.address);
		const listed = await json(node, ['list', '--model', String(model), '--price', '2', '--suri', '//Bob']);
		assert.deepEqual(listed, { kind: 'model', id: model, price: (2n * OPEN).toString() });
		// A bid under the price is the chain's refusal, named; one at it buys.
		const low = await cli(node, ['buy', '--model', String(model), '--price', '1.5', '--suri', '//Dave']);
		assert.equal(low.status, 1);
		assert.match(low.stderr, /buy: the chain refused it: nfts\.BidTooLow/);
		const bought = await json(node, ['buy', '--model', String(model), '--price', '2', '--suri', '//Dave']);
		assert.deepEqual(bought, { kind: 'model', id: model, owner: k.Dave.address, seller: k.Bob.address, price: (2n * OPEN).toString() });
		assert.equal(await owner(), k.Dave.address);
		assert.equal((await cli(node, ['buy', '--model', String(model), '--price', '2', '--suri', '//Ferdie'])).status, 2, 'no longer for sale');
		await sendAndWait(api, api.tx.models.setFee(model, OPEN / 10n), k.Dave);
		assert.equal((await api.call.modelsApi.model(model)).unwrap().fee.toBigInt(), OPEN / 10n);
		// Dave gives it back to Bob.
		const given = await json(node, ['transfer', '--model', String(model), '--to', k.Bob.address, '--suri', '//Dave']);
		assert.deepEqual(given, { kind: 'model', id: model, from: k.Dave.address, to: k.Bob.address });
		assert.equal(await owner(), k.Bob.address);
		// What does not exist, or a command line that names two things, is a usage error.
		assert.equal((await cli(node, ['list', '--model', '999', '--price', '1', '--suri', '//Bob'])).status, 2);
		assert.equal((await cli(node, ['list', '--model', String(model), '--suri', '//Bob'])).status, 2);
		assert.equal((await cli(node, ['transfer', '--model', String(model), '--amount', '1', '--to', k.Dave.address, '--suri', '//Bob'])).status, 2);
		assert.equal((await cli(node, ['transfer', '--model', String(model), '--agent', '0', '--to', k.Dave.address, '--suri', '//Bob'])).status, 2);
	});

	test('shares and settle: Bob splits his model\'s owner share, its next fee is settled exactly, and a sale ends the split', async () => {
		const eve = new Keyring({ type: 'sr25519' }).addFromUri('//CliShareholder').address;
		const claimable = async (who) => (await api.call.rewardsApi.claimable(who)).toBigInt();
		const id = String(model);
		const set = await json(node, ['shares', '--model', id, '--part', `${k.Bob.address}=1`, '--part', `${eve}=3`, '--suri', '//Bob']);
		assert.deepEqual(set.parts, [{ account: k.Bob.address, part: 1 }, { account: eve, part: 3 }]);
		// Only the holder splits; a Datanet has no owner share; a part is a whole number above 0.
		const notHolder = await cli(node, ['shares', '--model', id, '--part', `${k.Dave.address}=1`, '--suri', '//Dave']);
		assert.equal(notHolder.status, 1);
		assert.match(notHolder.stderr, /shares: the chain refused it: rewards\.NotHolder/);
		assert.equal((await cli(node, ['shares', '--datanet', String(datanet), '--part', `${eve}=1`, '--suri', '//Bob'])).status, 2);
		assert.equal((await cli(node, ['shares', '--model', id, '--part', `${eve}=0`, '--suri', '//Bob'])).status, 2);
		assert.equal((await cli(node, ['shares', '--model', id, '--part', `${eve}=1`, '--clear', '--suri', '//Bob'])).status, 2);
		const shown = (await json(node, ['shares', '--model', id])).shares;
		assert.equal(shown.holder, k.Bob.address);
		assert.equal(shown.inForce, true);
		assert.equal(shown.pending, '0');

		// The next inference's owner share (20% of the fee, rounded down) accrues to the split.
		const fee = (await api.call.modelsApi.model(model)).unwrap().fee.toBigInt() + (await api.call.agentsApi.agent(agent)).unwrap().fee.toBigInt();
		const share = (fee * (await api.call.rewardsApi.rewardSplit()).modelOwner.toBigInt()) / 1_000_000_000n;
		const [bob, eveBefore] = [await claimable(k.Bob.address), await claimable(eve)];
		const invoke = async (row) => {
			const query = digits[RECORDS + row].split(',');
			const r = await json(node, ['invoke', '--agent', String(agent), '--values', query.slice(1).join(','), '--suri', '//Dave']);
			assert.equal(r.status, 'Completed');
		};
		await invoke(3);
		const pending = (await api.call.rewardsApi.revenueShares('Model', model)).unwrap().pending.toBigInt();
		assert.equal(pending, share);
		assert.equal(await claimable(k.Bob.address), bob, 'the share waits to be settled');
		// Anyone settles it: Eve is paid 3/4 rounded down, Bob the rest, to the last unit.
		const settled = await json(node, ['settle', '--model', id, '--suri', '//Ferdie']);
		assert.equal(BigInt(settled.amount), share);
		assert.equal((await claimable(eve)) - eveBefore, (share * 3n) / 4n);
		assert.equal((await claimable(k.Bob.address)) - bob, share - (share * 3n) / 4n);
		const nothing = await cli(node, ['settle', '--model', id, '--suri', '//Ferdie']);
		assert.equal(nothing.status, 1);
		assert.match(nothing.stderr, /rewards\.NothingToSettle/);

		// Bob gives the model to Dave: Bob's split is no longer in force, and Dave is paid the
		// whole share of the next fee.
		await json(node, ['transfer', '--model', id, '--to', k.Dave.address, '--suri', '//Bob']);
		assert.equal((await json(node, ['shares', '--model', id])).shares.inForce, false);
		const dave = await claimable(k.Dave.address);
		await invoke(4);
		assert.equal((await claimable(k.Dave.address)) - dave, share);
		assert.equal((await api.call.rewardsApi.revenueShares('Model', model)).unwrap().pending.toBigInt(), 0n);
		await json(node, ['transfer', '--model', id, '--to', k.Bob.address, '--suri', '//Dave']);
	});

	test('transfer sends OPEN, and an unknown address or too much is named', async () => {
		const to = new Keyring({ type: 'sr25519' }).addFromUri('//CliTransfer').address;
		const r = await json(node, ['transfer', '--to', to, '--amount', '2.5', '--suri', '//Eve']);
		assert.equal(r.to, to);
		assert.equal(BigInt(r.amount), (5n * OPEN) / 2n);
		assert.equal((await api.query.system.account(to)).data.free.toBigInt(), (5n * OPEN) / 2n);
		const bad = await cli(node, ['transfer', '--to', 'not-an-address', '--amount', '1', '--suri', '//Eve']);
		assert.equal(bad.status, 2);
		assert.match(bad.stderr, /--to: /);
		const poor = await cli(node, ['transfer', '--to', to, '--amount', '1', '--suri', '//CliTransferPoor']);
		assert.equal(poor.status, 1);
		assert.match(poor.stderr, /transfer: /);
	});
});
