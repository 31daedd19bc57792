// Text Datanets for real, on one dev node with the real engine in its off-chain worker:
// - an ∞-gram model over 300 State of the Union records: indexed by the worker, a paid
//   invocation with a prompt, the continuation with its verbatim spans and its shares
//   finalised, and the fee's contributor part paid to the records the spans came from;
// - an external model on the SOTU Datanet and a second one, crediting quotations from both;
// - a hashed n-gram softmax regression over 560 distinct real SpamAssassin mails: trained by the
//   worker, paid inferences on held-back mails, each verdict attributed to the mails behind it.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { Keyring } from '@polkadot/keyring';
import { hexToU8a, u8aToHex } from '@polkadot/util';
import { blake2AsHex, cryptoWaitReady } from '@polkadot/util-crypto';

import { chromium } from 'playwright-core';

import { startNode } from '../lib/node.js';
import { answeredThenRevealed, findEvent, ok as okWith, sendAndWait } from '../lib/chain.js';
import { answerPayload, judgeAnswer, payloadsOf } from '@openledger/client';
import { until } from '../lib/load.js';
import { CHROMIUM, SKIP_BROWSER, serve } from '../lib/explorer.js';
import { sotuRecords } from '../lib/sotu.js';
import { cliJson } from '../lib/cli.js';
import { loadMails } from '../lib/mails.js';

const BILLION = 1_000_000_000n;
const MODEL_FEE = 10n ** 18n;
const AGENT_FEE = 10n ** 17n;
const SOTU_RECORDS = 300;
const MAX_TOKENS = 32;
const MAIL_QUERIES = 8;

const hex = (text) => u8aToHex(new TextEncoder().encode(text));
const utf8 = (codec) => new TextDecoder().decode(hexToU8a(codec.toHex()));

describe('Text Datanets: an ∞-gram model and a mail classifier', () => {
	let node;
	let api;
	let k;
	let generated = [];
	// The SOTU Datanet of the first test, and its rows.
	let sotu;
	// The external model's traced inference, and the records it quoted.
	let tracedInference;
	// The inference of the external model on two Datanets: its quoted positions and the second
	// Datanet.
	let mixedInference;
	const ok = (tx, who) => okWith(api, tx, who);
	const event = (events, pallet, name) => findEvent(api, events, pallet, name);
	/** Creates an open Text Datanet, fills it from the contributors in turn, publishes it. */
	const fill = async (name, classes, rows, batch) => {
		const created = await ok(api.tx.datanets.create(name, `${rows.length} real records`, 'CC0-1.0', { Text: { classes } }, 'Open'), k.Alice);
		const datanet = event(created.events, 'datanets', 'DatanetCreated').data.datanet.toNumber();
		const contributors = [k.Charlie, k.Dave, k.Eve];
		for (let i = 0, b = 0; i < rows.length; i += batch, b += 1) {
			const records = rows.slice(i, i + batch).map((r) => [hex(r.text), r.label]);
			await ok(api.tx.datanets.contributeBatch(datanet, records), contributors[b % contributors.length]);
		}
		await ok(api.tx.datanets.publishVersion(datanet, rows.length), k.Alice);
		return datanet;
	};
	const active = (model) =>
		until(async () => {
			const info = (await api.call.modelsApi.model(model)).unwrap();
			assert.ok(!info.status.isFailed, `model ${model} failed`);
			return info.status.isActive ? info.status.asActive : undefined;
		});
	const completed = (id) =>
		until(async () => {
			const info = (await api.call.attributionApi.inference(id)).unwrap();
			return info.status.isCompleted ? info : undefined;
		});
	const record = async (datanet, position) => {
		const [rec] = await api.call.datanetsApi.versionRecords(datanet, 1, position, 1);
		const [payload] = await payloadsOf(api, [rec]);
		return { contributor: rec.contributor.toString(), text: new TextDecoder().decode(payload), label: rec.label.toNumber() };
	};
	const claimables = async () => Object.fromEntries(await Promise.all([k.Charlie, k.Dave, k.Eve].map(async (w) => [w.address, (await api.call.rewardsApi.claimable(w.address)).toBigInt()])));

	before(async () => {
		await cryptoWaitReady();
		node = await startNode({ args: ['--dev', '--sealing', 'instant', '-lattribution=debug'], name: 'text' });
		api = node.api;
		const keyring = new Keyring({ type: 'sr25519' });
		k = Object.fromEntries(['Alice', 'Bob', 'Charlie', 'Dave', 'Eve', 'Ferdie'].map((n) => [n, keyring.addFromUri(`//${n}`)]));
	});

	after(async () => {
		if (node) await node.stop();
	});

	test('an ∞-gram continues a prompt from the records, with spans and shares agreed on chain, and pays their contributors', async () => {
		const rows = sotuRecords().slice(0, SOTU_RECORDS);
		const datanet = await fill('sotu', 5, rows, 50);
		sotu = { datanet, rows };
		const spec = { featurizer: 'Words', architecture: { InfiniGram: { maxTokens: MAX_TOKENS } }, epochs: 1, learningRate: 1, batchSize: 1, l2: 0, seed: 0 };
		// An ∞-gram takes only the word tokeniser, and at most 256 tokens.
		const refused = await sendAndWait(api, api.tx.models.register(datanet, 1, { ...spec, architecture: { InfiniGram: { maxTokens: 257 } } }, MODEL_FEE, ''), k.Bob);
		assert.equal(refused.dispatchError, 'models.InvalidSpec(GeneratedTokensOutOfBounds)');
		const mismatch = await sendAndWait(api, api.tx.models.register(datanet, 1, { ...spec, featurizer: { HashedNgrams: { dims: 256 } } }, MODEL_FEE, ''), k.Bob);
		assert.equal(mismatch.dispatchError, 'models.InvalidSpec(FeaturizerMismatch)');
		const registered = await ok(api.tx.models.register(datanet, 1, spec, MODEL_FEE, 'sotu-infinigram'), k.Bob);
		const model = event(registered.events, 'models', 'ModelRegistered').data.model.toNumber();
		const status = await active(model);
		const training = (await api.call.attributionApi.training(model)).unwrap();
		assert.equal(training.weightsHash.toHex(), status.weightsHash.toHex(), 'the index hash is the agreed weights hash');

		// A prompt: the first 12 words of a record whose opening occurs nowhere else.
		const words = (t) => t.split(' ').slice(0, 12).join(' ');
		const source = rows.findIndex((r) => r.text.split(' ').length > 40 && rows.filter((o) => o.text.includes(words(r.text))).length === 1);
		const prompt = words(rows[source].text);
		const rest = rows[source].text.slice(prompt.length);

		const agentRegistered = await ok(api.tx.agents.register(model, 'sotu-writer', AGENT_FEE), k.Ferdie);
		const agent = event(agentRegistered.events, 'agents', 'AgentRegistered').data.agent.toNumber();
		// A prompt that is not UTF-8 is refused by name, and costs nothing but its fee.
		const bad = await sendAndWait(api, api.tx.agents.invoke(agent, '0xff00', MODEL_FEE + AGENT_FEE), k.Dave);
		assert.equal(bad.dispatchError, 'agents.InvalidInput');

		// The unique prompt, then a common phrase whose continuation many records supply.
		const before = await claimables();
		const part = (MODEL_FEE + AGENT_FEE) / 2n;
		const expected = {};
		const inferences = [];
		for (const [p, unique] of [[prompt, true], ['of the United States', false]]) {
			const preview = await node.rpc('attribution_preview', [model, hex(p)]);
			assert.deepEqual(Object.keys(preview.answer), ['continuation'], 'an ∞-gram preview answers with a continuation');
			const previewed = preview.answer.continuation;
			const invoked = await ok(api.tx.agents.invoke(agent, hex(p), MODEL_FEE + AGENT_FEE), k.Dave);
			const inference = event(invoked.events, 'agents', 'InferenceRequested').data.inference.toNumber();
			inferences.push(inference);
			const info = await completed(inference);
			assert.ok(info.generation.isSome, 'the inference stores its continuation');
			const generation = info.generation.unwrap();
			const text = utf8(generation.text);
			console.log(`# prompt ${JSON.stringify(p)} → ${JSON.stringify(text)}`);
			assert.equal(generation.tokens.toNumber(), MAX_TOKENS);
			// The chain's continuation is the preview's.
			assert.equal(text, previewed.text);
			assert.deepEqual(generation.spans.map((s) => [s.start.toNumber(), s.end.toNumber()]), previewed.spans.map((s) => [s.start, s.end]));
			// Every span occurs verbatim in each record it names.
			assert.ok(generation.spans.length > 0);
			const bytes = new TextEncoder().encode(text);
			for (const span of generation.spans) {
				const piece = new TextDecoder().decode(bytes.slice(span.start.toNumber(), span.end.toNumber()));
				for (const r of span.records) {
					assert.ok((await record(datanet, r.toNumber())).text.includes(piece), `record ${r} holds ${JSON.stringify(piece)}`);
				}
			}
			// The first step's candidates are most probable first, the chosen token first.
			const first = generation.first.map((c) => ({ token: utf8(c.token), p: c.probability.toNumber() }));
			assert.ok(text.startsWith(first[0].token));
			assert.ok(first.every((c, i) => i === 0 || c.p <= first[i - 1].p));
			// The chain keeps the answer as a continuation, with its first token's probability.
			assert.ok(info.status.asCompleted.isContinuation, `answer ${info.status.asCompleted.type}`);
			assert.equal(info.status.asCompleted.asContinuation.confidence.toNumber(), first[0].p);
			// Shares: the records the tokens came from, summing to one, as previewed.
			const shares = info.shares.map((s) => ({ record: s.record.toNumber(), share: s.share.toBigInt() }));
			assert.equal(shares.reduce((a, s) => a + s.share, 0n), BILLION);
			assert.deepEqual(shares.map((s) => s.record), preview.proponents.map((x) => x.record));
			if (unique) {
				// The opening occurs once, so the longest context is the source record's: the
				// continuation is the rest of that record, verbatim, and it alone is credited.
				const n = Math.min(text.length, rest.length);
				assert.ok(n > 20, `a continuation of ${text.length} characters`);
				assert.equal(text.slice(0, n), rest.slice(0, n));
				assert.deepEqual(shares.map((s) => s.record), [source]);
				assert.ok(generation.spans[0].records.map((r) => r.toNumber()).includes(source));
			} else {
				assert.ok(shares.length > 1, 'a common phrase is credited to several records');
				// Each credited record holds a word of the prompt or of the continuation.
				for (const s of shares) {
					const held = (await record(datanet, s.record)).text;
					assert.ok([...(p + text).matchAll(/\w+/g)].some(([w]) => held.includes(w)), `record ${s.record}`);
				}
			}
			for (const s of shares) {
				const who = (await record(datanet, s.record)).contributor;
				expected[who] = (expected[who] ?? 0n) + (part * s.share) / BILLION;
			}
		}
		// Half of each fee went to the contributors of the credited records, by share.
		const after = await claimables();
		for (const who of Object.keys(after)) assert.equal(after[who] - before[who], expected[who] ?? 0n, `claimable of ${who}`);
		generated = inferences;

		// The command-line client prints the continuation, not a label.
		const r = await cliJson(node, ['invoke', '--agent', String(agent), '--text', 'of the United States', '--suri', '//Dave']);
		const info = (await api.call.attributionApi.inference(r.inference)).unwrap();
		assert.equal(r.status, 'Completed', JSON.stringify(r));
		assert.equal(r.label, undefined);
		assert.equal(r.continuation, utf8(info.generation.unwrap().text));
		assert.equal(Math.round(r.confidence * 1e9), info.status.asCompleted.asContinuation.confidence.toNumber());
	});

	test("an external model's output is traced to the records it quotes, an edit breaks a span, and an output that quotes nothing pays the treasury", async () => {
		assert.ok(sotu, 'the first test published the SOTU Datanet');
		const { datanet, rows } = sotu;
		const MIN_SPAN = 12;
		const spec = (minSpanTokens) => ({ featurizer: 'Words', architecture: { External: { weightsHash: `0x${'77'.repeat(32)}`, minSpanTokens } }, epochs: 1, learningRate: 1, batchSize: 1, l2: 0, seed: 0 });
		// The minimum span length is bounded by the chain (8 to 64 tokens).
		const short = await sendAndWait(api, api.tx.models.register(datanet, 1, spec(2), MODEL_FEE, ''), k.Bob);
		assert.equal(short.dispatchError, 'models.InvalidSpec(SpanTokensOutOfBounds)');
		const registered = await ok(api.tx.models.register(datanet, 1, spec(MIN_SPAN), MODEL_FEE, 'an LLM served elsewhere: https://example.org/weights.safetensors'), k.Bob);
		const model = event(registered.events, 'models', 'ModelRegistered').data.model.toNumber();
		await active(model);
		const agentRegistered = await ok(api.tx.agents.register(model, 'llm-app', AGENT_FEE), k.Ferdie);
		const agent = event(agentRegistered.events, 'agents', 'AgentRegistered').data.agent.toNumber();

		// An output that quotes 16 words of one record verbatim, and 16 words of another with
		// its 8th word replaced: two records of distinct authors, each passage found once.
		const passage = (r, from) => r.text.split(' ').slice(from, from + 16).join(' ');
		const unique = (text) => rows.filter((o) => o.text.includes(text)).length === 1;
		const picks = [];
		for (const [i, r] of rows.entries()) {
			if (r.text.split(' ').length < 40 || !unique(passage(r, 10))) continue;
			if (picks.some((p) => rows[p].text === r.text)) continue;
			picks.push(i);
			if (picks.length === 2) break;
		}
		const [a, b] = picks;
		const quoted = passage(rows[a], 10);
		const edited = passage(rows[b], 10).split(' ');
		edited[7] = 'zyzzogeton';
		const output = `As the model put it: ${quoted}. It went on: ${edited.join(' ')}.`;
		const before = await claimables();
		const invoked = await ok(api.tx.agents.invoke(agent, hex(output), MODEL_FEE + AGENT_FEE), k.Dave);
		const inference = event(invoked.events, 'agents', 'InferenceRequested').data.inference.toNumber();
		const info = await completed(inference);
		assert.ok(info.generation.isNone && info.trace.isSome, 'an external model stores a trace, not a continuation');
		const { output: kept, trace } = info.trace.unwrap();
		assert.equal(utf8(kept), output, 'the output is kept with its trace');
		tracedInference = { id: inference, quoted: [a, b], agent, output };
		const answer = info.status.asCompleted;
		assert.ok(answer.isTrace, `answer ${answer.type}`);
		assert.equal(answer.asTrace.spans.toNumber(), trace.spans.length);
		const bytes = new TextEncoder().encode(output);
		const pieces = trace.spans.map((s) => ({ text: new TextDecoder().decode(bytes.slice(s.start.toNumber(), s.end.toNumber())), records: s.records.map((r) => r.toNumber()) }));
		console.log(`# traced ${JSON.stringify(pieces)}`);
		// Every span is verbatim in each record it names, and none crosses the edit.
		for (const piece of pieces) {
			assert.ok(!piece.text.includes('zyzzogeton'), 'the edited word breaks the span');
			for (const r of piece.records) assert.ok((await record(datanet, r)).text.includes(piece.text), `record ${r} holds ${JSON.stringify(piece.text)}`);
		}
		// The verbatim quotation is one span of the first record, whole.
		assert.ok(pieces.some((p) => p.text.includes(quoted) && p.records.includes(a)), 'the quotation is a span');
		// Both quoted records are credited, the edited one by the stretch before or after the edit.
		const shares = info.shares.map((s) => ({ record: s.record.toNumber(), share: s.share.toBigInt() }));
		assert.equal(shares.reduce((x, s) => x + s.share, 0n), BILLION);
		for (const r of [a, b]) assert.ok(shares.some((s) => s.record === r), `record ${r} is credited (${shares.map((s) => s.record)})`);
		// Half of the fee went to the contributors of the credited records, by share.
		const part = (MODEL_FEE + AGENT_FEE) / 2n;
		const expected = {};
		for (const s of shares) {
			const who = (await record(datanet, s.record)).contributor;
			expected[who] = (expected[who] ?? 0n) + (part * s.share) / BILLION;
		}
		const after = await claimables();
		for (const who of Object.keys(after)) assert.equal(after[who] - before[who], expected[who] ?? 0n, `claimable of ${who}`);

		// An output that quotes nothing long enough: no record is credited, and the
		// contributors' part goes to the treasury (an agent gains nothing by its claim).
		const treasury = api.consts.rewards.treasuryAccount.toString();
		const treasuryBefore = (await api.call.rewardsApi.claimable(treasury)).toBigInt();
		const none = await ok(api.tx.agents.invoke(agent, hex('Nothing here is quoted from any address, zyzzogeton.'), MODEL_FEE + AGENT_FEE), k.Dave);
		const nothing = await completed(event(none.events, 'agents', 'InferenceRequested').data.inference.toNumber());
		assert.equal(nothing.status.asCompleted.asTrace.spans.toNumber(), 0);
		assert.equal(nothing.shares.length, 0);
		const still = await claimables();
		for (const who of Object.keys(still)) assert.equal(still[who], after[who], `claimable of ${who}`);
		const gained = (await api.call.rewardsApi.claimable(treasury)).toBigInt() - treasuryBefore;
		assert.ok(gained >= part, `the treasury took the contributors' part: ${gained} of ${part}`);

		// The command-line client prints the trace's size, not a label.
		const r = await cliJson(node, ['invoke', '--agent', String(agent), '--text', output, '--suri', '//Dave']);
		assert.equal(r.status, 'Completed', JSON.stringify(r));
		assert.equal(r.label, undefined);
		assert.deepEqual(r.trace, { tokens: trace.tokens.toNumber(), spans: trace.spans.length });
	});

	test('an external model on two Datanets credits quotations from both, each through its own Datanet', async () => {
		assert.ok(sotu, 'the first test published the SOTU Datanet');
		// A second SOTU Datanet of other records, of the same schema, filled by Ferdie alone.
		const rows = sotuRecords().slice(SOTU_RECORDS, SOTU_RECORDS + 40);
		const created = await ok(api.tx.datanets.create('sotu-more', `${rows.length} real records`, 'CC0-1.0', { Text: { classes: 5 } }, 'Open'), k.Alice);
		const second = event(created.events, 'datanets', 'DatanetCreated').data.datanet.toNumber();
		await ok(api.tx.datanets.contributeBatch(second, rows.map((r) => [hex(r.text), r.label])), k.Ferdie);
		await ok(api.tx.datanets.publishVersion(second, rows.length), k.Alice);
		const spec = { featurizer: 'Words', architecture: { External: { weightsHash: `0x${'78'.repeat(32)}`, minSpanTokens: 12 } }, epochs: 1, learningRate: 1, batchSize: 1, l2: 0, seed: 0 };
		// An index takes each source once: a weight is refused by name.
		const weighted = await sendAndWait(api, api.tx.models.registerMix([[sotu.datanet, 1, 1], [second, 1, 2]], spec, MODEL_FEE, ''), k.Bob);
		assert.equal(weighted.dispatchError, 'models.WeightedIndex');
		const registered = await ok(api.tx.models.registerMix([[sotu.datanet, 1, 1], [second, 1, 1]], spec, MODEL_FEE, 'an LLM on two Datanets'), k.Bob);
		const model = event(registered.events, 'models', 'ModelRegistered').data.model.toNumber();
		await active(model);
		const agent = event((await ok(api.tx.agents.register(model, 'llm-on-two', 0), k.Bob)).events, 'agents', 'AgentRegistered').data.agent.toNumber();
		// 16 words of a record of each Datanet, each found in no other record of either.
		const all = [...sotu.rows, ...rows];
		const passage = (r) => r.text.split(' ').slice(10, 26).join(' ');
		const once = (r) => r.text.split(' ').length >= 40 && all.filter((o) => o.text.includes(passage(r))).length === 1;
		const [a, j] = [sotu.rows.findIndex(once), rows.findIndex(once)];
		assert.ok(a >= 0 && j >= 0, 'a passage found once in each Datanet');
		// Positions: the first source's records are 0..SOTU_RECORDS, the second's follow.
		const positions = [a, SOTU_RECORDS + j];
		const contributors = [k.Charlie, k.Dave, k.Eve, k.Ferdie];
		const claimable = async () => Object.fromEntries(await Promise.all(contributors.map(async (w) => [w.address, (await api.call.rewardsApi.claimable(w.address)).toBigInt()])));
		const earned = async () => [(await api.call.rewardsApi.recordEarnings(sotu.datanet, a)).toBigInt(), (await api.call.rewardsApi.recordEarnings(second, j)).toBigInt()];
		const before = await claimable();
		const earnedBefore = await earned();
		const output = `It said: ${passage(sotu.rows[a])}. And then: ${passage(rows[j])}.`;
		const invoked = await ok(api.tx.agents.invoke(agent, hex(output), MODEL_FEE), k.Dave);
		const inference = event(invoked.events, 'agents', 'InferenceRequested').data.inference.toNumber();
		const info = await completed(inference);
		const shares = info.shares.map((sh) => ({ position: sh.record.toNumber(), share: sh.share.toBigInt() }));
		assert.deepEqual(shares.map((sh) => sh.position).sort((x, y) => x - y), positions);
		assert.equal(shares.reduce((x, sh) => x + sh.share, 0n), BILLION);
		const spans = info.trace.unwrap().trace.spans.map((sp) => sp.records.map((r) => r.toNumber()));
		for (const p of positions) assert.ok(spans.some((rs) => rs.includes(p)), `a span of position ${p}`);
		// Each record is paid to its contributor through its own Datanet.
		const expected = {};
		const earnedNow = await earned();
		for (const { position, share } of shares) {
			const [net, index] = position < SOTU_RECORDS ? [sotu.datanet, position] : [second, position - SOTU_RECORDS];
			const { contributor } = await record(net, index);
			const amount = ((MODEL_FEE / 2n) * share) / BILLION;
			expected[contributor] = (expected[contributor] ?? 0n) + amount;
			// Each record's earnings grow under its own Datanet.
			const which = net === second ? 1 : 0;
			assert.equal(earnedNow[which] - earnedBefore[which], amount, `Datanet ${net} record ${index}`);
		}
		const after = await claimable();
		for (const w of contributors) assert.equal(after[w.address] - before[w.address], expected[w.address] ?? 0n, `claimable of ${w.address}`);
		assert.ok(expected[k.Ferdie.address] > 0n, "the second Datanet's contributor is paid");
		mixedInference = { id: inference, positions, second };
	});

	test('the fast answer: an attestor node answers a signed invoke at once, with the outcome it then reveals on chain, signed, and a lie signed so is slashed', async () => {
		const { agent, output } = tracedInference;
		const signed = await api.tx.agents.invoke(agent, hex(output), MODEL_FEE + AGENT_FEE).signAsync(k.Eve);
		const { answer, outcome, inference, info, revealed } = await answeredThenRevealed(node, api, signed);
		assert.equal(answer.attestor, k.Alice.address);
		assert.ok(outcome.isTrace, `an external model's answer is a trace, not ${outcome.type}`);
		// The node revealed what it answered, and the chain's result is the answer's.
		assert.equal(revealed, answer.outcomeHash);
		assert.deepEqual(
			info.shares.map((s) => [s.record.toNumber(), s.share.toNumber()]),
			outcome.asTrace.shares.map((s) => [s.record.toNumber(), s.share.toNumber()]),
		);
		assert.equal(info.trace.unwrap().trace.toHex(), outcome.asTrace.trace.toHex());
		// The chain bound the inference to the extrinsic, and to the outcome it paid out.
		const request = (await api.query.attribution.requests(inference)).unwrap();
		assert.equal(request.extrinsic.toHex(), signed.hash.toHex());
		assert.equal(request.decided.unwrap().toHex(), answer.outcomeHash);
		// The honest answer cannot be reported.
		const report = (hash, signature) => api.tx.attribution.reportAnswer(inference, answer.attestor, hash, { Sr25519: signature });
		const honest = await sendAndWait(api, report(answer.outcomeHash, answer.signature), k.Eve);
		assert.equal(honest.dispatchError, 'attribution.AnswerMatches');
		// The client library (what `openledger invoke --now` runs) judges it so, and sends nothing.
		const judged = await judgeAnswer(api, k.Eve, inference, api.createType('AttributionAnswer', answer));
		assert.deepEqual(judged, { decided: answer.outcomeHash, matches: true, reported: false });
		// A lie signed with the attestor's key (Alice's `attr` key is the dev seed's, so the test
		// can play a node that answered otherwise): the library reports it, and it costs a strike
		// and a tenth of the bond, to the treasury, with no fee for the reporter.
		const lie = blake2AsHex('another outcome than the chain paid');
		const lying = api.createType('AttributionAnswer', { ...answer, outcomeHash: lie, signature: u8aToHex(k.Alice.sign(answerPayload(signed.hash.toHex(), lie))) });
		const bond = (await api.query.attribution.bonds(k.Alice.address)).unwrap().amount.toBigInt();
		const free = (await api.query.system.account(k.Eve.address)).data.free.toBigInt();
		assert.deepEqual(await judgeAnswer(api, k.Eve, inference, lying), { decided: answer.outcomeHash, matches: false, reported: true });
		assert.equal((await api.query.system.account(k.Eve.address)).data.free.toBigInt(), free, 'a report that succeeds is free');
		assert.equal((await api.query.attribution.bonds(k.Alice.address)).unwrap().amount.toBigInt(), bond - bond / 10n);
		assert.equal((await api.query.attribution.strikes(k.Alice.address)).unwrap().count.toNumber(), 1);
		const reported = (await api.query.attribution.requests(inference)).unwrap().reported;
		assert.deepEqual(reported.map((a) => a.toString()), [k.Alice.address]);
		// Once only.
		const again = await sendAndWait(api, report(lie, u8aToHex(k.Alice.sign(answerPayload(signed.hash.toHex(), lie)))), k.Eve);
		assert.equal(again.dispatchError, 'attribution.AlreadyReported');
		// The same extrinsic again is refused by the pool, and nothing is computed for it.
		await assert.rejects(node.rpc('attribution_answer', [signed.toHex()]), (e) => e.rpc?.code === 7011);
		// Not an invoke, or not signed: named errors.
		const transfer = await api.tx.balances.transferKeepAlive(k.Bob.address, 1n).signAsync(k.Eve);
		await assert.rejects(node.rpc('attribution_answer', [transfer.toHex()]), (e) => e.rpc?.code === 7010);
		await assert.rejects(node.rpc('attribution_answer', [api.tx.agents.invoke(agent, hex(output), MODEL_FEE).toHex()]), (e) => e.rpc?.code === 7010);
		await assert.rejects(node.rpc('attribution_answer', ['0x0102']), (e) => e.rpc?.code === 7010);
		// An invoke the node cannot answer (an unknown agent) is refused before the pool: the
		// caller's extrinsic is not sent, and its nonce stays unused.
		const nonce = (await api.rpc.system.accountNextIndex(k.Eve.address)).toNumber();
		const stray = await api.tx.agents.invoke(9_999, hex(output), MODEL_FEE + AGENT_FEE).signAsync(k.Eve);
		await assert.rejects(node.rpc('attribution_answer', [stray.toHex()]), (e) => e.rpc?.code === 7001);
		assert.equal((await api.rpc.system.accountNextIndex(k.Eve.address)).toNumber(), nonce, 'nothing was pooled');
	});

	test("the explorer shows the continuation, and the external model's output, with their spans coloured by record", { skip: SKIP_BROWSER }, async () => {
		const server = await serve();
		const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--disable-gpu', '--no-first-run', '--disable-background-networking'] });
		try {
			const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
			for (const id of generated) {
				const route = `#/inference/${id}`;
				await page.goto(`${server.url}/?rpc=ws://127.0.0.1:${node.rpcPort}${route}`);
				await page.waitForFunction((r) => document.body.dataset.renderedRoute === r, route, { timeout: 60_000 });
				const info = (await api.call.attributionApi.inference(id)).unwrap().generation.unwrap();
				const shown = await page.$eval('[data-testid=generated]', (e) => e.textContent);
				assert.equal(shown, utf8(info.text), 'the page shows the generated text');
				const marks = await page.$$eval('[data-testid=generated] mark', (ms) => ms.map((m) => ({ record: Number(m.dataset.record), text: m.textContent, colour: m.style.background })));
				assert.ok(marks.length > 0 && marks.length <= info.spans.length);
				for (const m of marks) {
					assert.ok(info.spans.some((sp) => sp.records[0].toNumber() === m.record), `a span of record ${m.record}`);
					assert.match(m.colour, /rgb|hsl/);
				}
				const rows = await page.$$eval('[data-testid=first-tokens] tr', (r) => r.length - 1);
				assert.equal(rows, info.first.length);
				// The answer is a continuation, not a label.
				assert.equal(await page.$('[data-testid=inference-label]'), null, 'no label for a continuation');
				assert.equal(await page.textContent('[data-testid=inference-answer]'), 'a continuation (below)');
			}
			await page.screenshot({ path: `${process.env.E2E_LOG_DIR || '/tmp'}/explorer-continuation.png`, fullPage: true });
			// The external model's output, with its spans marked by record.
			const route = `#/inference/${tracedInference.id}`;
			await page.goto(`${server.url}/?rpc=ws://127.0.0.1:${node.rpcPort}${route}`);
			await page.waitForFunction((r) => document.body.dataset.renderedRoute === r, route, { timeout: 60_000 });
			const { output, trace } = (await api.call.attributionApi.inference(tracedInference.id)).unwrap().trace.unwrap();
			assert.equal(await page.$eval('[data-testid=traced]', (e) => e.textContent), utf8(output), 'the page shows the output');
			const marks = await page.$$eval('[data-testid=traced] mark', (ms) => ms.map((m) => ({ record: Number(m.dataset.record), text: m.textContent })));
			// (Overlapping spans share their bytes: a mark may be shorter than its span.)
			assert.ok(marks.length > 0 && marks.length <= trace.spans.length);
			for (const m of marks) assert.ok((await record(sotu.datanet, m.record)).text.includes(m.text), `record ${m.record} holds ${JSON.stringify(m.text)}`);
			for (const r of tracedInference.quoted) assert.ok(marks.some((m) => m.record === r), `a span of quoted record ${r} is marked`);
			assert.equal(await page.textContent('[data-testid=inference-answer]'), `the output, traced: ${trace.spans.length} verbatim spans in ${trace.tokens.toNumber()} tokens`);
			await page.screenshot({ path: `${process.env.E2E_LOG_DIR || '/tmp'}/explorer-trace.png`, fullPage: true });
			// The model on two Datanets: a span of each is marked, and each share row names its
			// Datanet and its place there.
			const mixed = `#/inference/${mixedInference.id}`;
			await page.goto(`${server.url}/?rpc=ws://127.0.0.1:${node.rpcPort}${mixed}`);
			await page.waitForFunction((r) => document.body.dataset.renderedRoute === r, mixed, { timeout: 60_000 });
			const mixedMarks = await page.$$eval('[data-testid=traced] mark', (ms) => ms.map((m) => Number(m.dataset.record)));
			for (const p of mixedInference.positions) assert.ok(mixedMarks.includes(p), `position ${p} is marked (${mixedMarks})`);
			const rows = await page.$$eval('[data-testid=share-row]', (rs) => rs.map((r) => [Number(r.dataset.record), Number(r.dataset.datanet), Number(r.dataset.index)]));
			assert.deepEqual(
				rows.sort((x, y) => x[0] - y[0]),
				[
					[mixedInference.positions[0], sotu.datanet, mixedInference.positions[0]],
					[mixedInference.positions[1], mixedInference.second, mixedInference.positions[1] - SOTU_RECORDS],
				],
			);
		} finally {
			await browser.close();
			server.stop();
		}
	});

	test('a hashed n-gram classifier on real mail: trained by the worker, paid verdicts attributed to the mails behind them', async () => {
		// A mail repeated with its label (spam campaigns) is one record: the chain refuses the
		// second as a DuplicateRecord.
		const seen = new Set();
		const mails = loadMails().filter((m) => !seen.has(`${m.label}:${m.text}`) && seen.add(`${m.label}:${m.text}`));
		const training = mails.slice(0, mails.length - MAIL_QUERIES);
		const queries = mails.slice(mails.length - MAIL_QUERIES);
		const datanet = await fill('spamassassin', 2, training, 40);
		const spec = { featurizer: { HashedNgrams: { dims: 1024 } }, architecture: 'SoftmaxRegression', epochs: 20, learningRate: 200_000_000, batchSize: 32, l2: 1_000_000, seed: 1 };
		const registered = await ok(api.tx.models.register(datanet, 1, spec, MODEL_FEE, 'spam-softmax'), k.Bob);
		const model = event(registered.events, 'models', 'ModelRegistered').data.model.toNumber();
		const status = await active(model);
		const accuracy = status.accuracy.toNumber() / 1e9;
		console.log(`# mail classifier: held-out accuracy ${(100 * accuracy).toFixed(1)}%`);
		assert.ok(accuracy > 0.85, `accuracy ${accuracy}`);
		const agentRegistered = await ok(api.tx.agents.register(model, 'spam-filter', AGENT_FEE), k.Ferdie);
		const agent = event(agentRegistered.events, 'agents', 'AgentRegistered').data.agent.toNumber();
		const ids = [];
		for (const q of queries) {
			const invoked = await ok(api.tx.agents.invoke(agent, hex(q.text), MODEL_FEE + AGENT_FEE), k.Dave);
			ids.push(event(invoked.events, 'agents', 'InferenceRequested').data.inference.toNumber());
		}
		let correct = 0;
		let agreeing = 0;
		for (const [i, id] of ids.entries()) {
			const info = await completed(id);
			assert.ok(info.generation.isNone, 'a classifier generates nothing');
			const label = info.status.asCompleted.asClass.label.toNumber();
			if (label === queries[i].label) correct += 1;
			const shares = info.shares.map((s) => ({ record: s.record.toNumber(), share: s.share.toBigInt() }));
			assert.ok(shares.length > 0 && shares.length <= 16);
			assert.equal(shares.reduce((a, s) => a + s.share, 0n), BILLION);
			// The mail that drove the verdict most carries the verdict's label.
			if ((await record(datanet, shares[0].record)).label === label) agreeing += 1;
		}
		console.log(`# ${MAIL_QUERIES} held-back mails: ${correct} verdicts right; the top mail carries the verdict's label in ${agreeing}`);
		assert.ok(correct >= MAIL_QUERIES - 2, `${correct} of ${MAIL_QUERIES} right`);
		assert.ok(agreeing >= MAIL_QUERIES - 2, `${agreeing} of ${MAIL_QUERIES} top mails agree`);
	});
});
