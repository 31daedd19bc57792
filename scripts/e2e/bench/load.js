// The load benchmark (run by scripts/load.sh, which starts the four validators of --chain local
// first): paid inferences at a fixed rate from many callers for a fixed time, and plain
// transfers against Datanet contributions in the same run. Prints markdown tables.
//
//   node bench/load.js [--rate PER_SECOND] [--seconds S] [--callers N] [--burst N]
//                      [--dataset digits|sotu] [--records N] [--rpc ws://…,ws://…]
//                      [--pids PID,PID,…] [--metrics http://…/metrics,…] [--trace FILE]
//                      [--db DIR]
//
// --dataset and --records choose the agent's Datanet, contributed through extrinsics and trained
// by the attestors: `digits` (Dense; above the 1,797 distinct digits, augmented by shifts and
// noise) or `sotu` (Text: the State of the Union addresses in records of a few hundred bytes,
// labelled with their half-century; up to 33,000 records, the rest are the inputs). The
// engine's figures (ingest, training, attribution) come from the nodes' Prometheus metrics.
// --db names one node's base path, whose size on disk is printed before and after the set-up.

import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

import { connect } from '@openledger/client';
import { Keyring } from '@polkadot/keyring';
import { u8aToHex } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import { engineMetrics } from '../lib/chain.js';
import { loadDigits } from '../lib/digits.js';
import { MAX_PAYLOAD_BYTES } from '../lib/sotu.js';
import { ChainWatcher, digitsDataset, OPEN, processUsage, sendInvocations, setUpAgent, sotuDataset, summarise, until } from '../lib/load.js';

const { values: opts } = parseArgs({
	options: {
		rate: { type: 'string', default: String(100 / 6) },
		seconds: { type: 'string', default: '300' },
		callers: { type: 'string', default: '100' },
		burst: { type: 'string', default: '2000' },
		rpc: { type: 'string', default: 'ws://127.0.0.1:9944,ws://127.0.0.1:9945,ws://127.0.0.1:9946,ws://127.0.0.1:9947' },
		pids: { type: 'string', default: '' },
		dataset: { type: 'string', default: 'digits' },
		records: { type: 'string', default: '150' },
		trace: { type: 'string', default: '' },
		db: { type: 'string', default: '' },
		metrics: { type: 'string', default: 'http://127.0.0.1:9615/metrics,http://127.0.0.1:9616/metrics,http://127.0.0.1:9617/metrics,http://127.0.0.1:9618/metrics' },
	},
});
const rate = Number(opts.rate);
const seconds = Number(opts.seconds);
const callerCount = Number(opts.callers);
const burst = Number(opts.burst);
const pids = opts.pids ? opts.pids.split(',').map(Number) : [];
const log = (m) => console.log(`[load] ${new Date().toISOString().slice(11, 19)} ${m}`);

await cryptoWaitReady();
const apis = await Promise.all(opts.rpc.split(',').map((url) => connect(url)));
const [api] = apis;
const keyring = new Keyring({ type: 'sr25519' });
const [eve, ferdie] = ['//Eve', '//Ferdie'].map((u) => keyring.addFromUri(u));
const blockMs = Number(api.consts.aura.slotDuration.toString());
const params = (await api.query.attribution.consensusParams()).toJSON();
const attestors = (await api.call.attributionApi.attestors()).length;
log(`${apis.length} nodes, ${attestors} attestors, committee ${Math.min(params.committeeSize, attestors)} (a result needs ${Math.floor(Math.min(params.committeeSize, attestors) / 2) + 1}); ${blockMs / 1000} s blocks`);

/** The size of --db on disk in MiB (du), or undefined without --db. */
const dbMiB = () => (opts.db ? Number(execFileSync('du', ['-sk', opts.db], { encoding: 'utf8' }).split('\t')[0]) / 1024 : undefined);
const usageBefore = pids.map(processUsage);
const dbBefore = dbMiB();
const t0 = Date.now();
const records = Number(opts.records);
const datasets = { digits: digitsDataset, sotu: sotuDataset };
if (!datasets[opts.dataset]) throw new Error(`--dataset ${opts.dataset}: digits or sotu`);
const dataset = datasets[opts.dataset](records);
const { agent, fee, inputs, callers } = await setUpAgent(api, {
	owner: eve,
	developer: ferdie,
	dataset,
	callers: callerCount,
	funds: 1_000n * OPEN,
	log,
});
log(`agent ${agent} serves the model; ${callerCount} callers funded (set-up ${Math.round((Date.now() - t0) / 1000)} s)`);
const engineAfterTraining = await engineMetricsAll();
const dbAfter = dbMiB();
const payloadBytes = dataset.rows.reduce((n, [payload]) => n + (payload.startsWith('0x') ? (payload.length - 2) / 2 : Buffer.byteLength(payload, 'utf8')), 0);

/** Each node's engine metrics (Prometheus), `engineMetrics`' map; {} for a node that does not
 * answer. */
async function engineMetricsAll() {
	return Promise.all(opts.metrics.split(',').map((url) => engineMetrics(url).catch(() => ({}))));
}

const finalized = async () => (await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber();

/** Sends `n` transactions made by `make(caller, i)` at once, round-robin over the callers and
 * nodes, each making `perTx` of the events `counts` counts; returns { sent, rejected, blocks,
 * best, perSecond } (in events) once all are in finalised blocks. */
async function throughput(name, n, make, counts, perTx = 1) {
	const watcher = new ChainWatcher(api, await finalized());
	let included = 0;
	const origCatchUp = watcher.catchUp.bind(watcher);
	const perBlock = [];
	watcher.catchUp = async (upTo) => {
		const before = watcher.blocks.length;
		await origCatchUp(upTo);
		for (const b of watcher.blocks.slice(before)) {
			const events = await (await api.at(await api.rpc.chain.getBlockHash(b.number))).query.system.events();
			const c = events.filter(({ event: e }) => counts(e)).length;
			if (c > 0) perBlock.push({ number: b.number, count: c });
			included += c;
		}
	};
	await watcher.start();
	const nonces = await Promise.all(callers.map(async (c, i) => (await apis[i % apis.length].query.system.account(c.address)).nonce.toNumber()));
	const start = Date.now();
	let rejected = 0;
	let firstError;
	const signed = [];
	for (let i = 0; i < n; i += 1) {
		const c = i % callers.length;
		const a = apis[c % apis.length];
		signed.push(make(a, callers[c], i).signAsync(callers[c], { nonce: nonces[c]++, era: 0 }).then((tx) => [a, tx]));
	}
	const txs = await Promise.all(signed);
	const signMs = Date.now() - start;
	await Promise.all(
		txs.map(([a, tx]) =>
			a.rpc.author.submitExtrinsic(tx).catch((e) => {
				rejected += 1;
				firstError ??= e.message;
			}),
		),
	);
	await until(() => (included >= (n - rejected) * perTx ? true : undefined), 600_000);
	watcher.stop();
	const blocks = perBlock.length === 0 ? 0 : perBlock[perBlock.length - 1].number - perBlock[0].number + 1;
	const best = Math.max(0, ...perBlock.map((b) => b.count));
	log(`${name}: ${n * perTx} sent in ${n} transactions (signed in ${signMs} ms), ${rejected} rejected${firstError ? ` (${firstError})` : ''}, included in ${blocks} blocks, at most ${best} in one`);
	return { name, sent: n * perTx, rejected: rejected * perTx, blocks, best, perSecond: ((n - rejected) * perTx) / ((blocks * blockMs) / 1000) };
}

// Plain transfers, then contributions of new records of the agent Datanet's kind (digits with
// random noise, or the State of the Union records with their position appended, so that none is
// a duplicate) to another Datanet, the same number of each, in the same run.
const { datanet: open } = await (async () => {
	const id = (await api.query.datanets.nextDatanetId()).toNumber();
	await apis[0].tx.datanets
		.create(`more ${dataset.title}`, 'load benchmark contributions', 'CC0-1.0', dataset.schema, 'Open')
		.signAndSend(eve, { nonce: -1 });
	await until(async () => ((await api.query.datanets.datanets(id)).isSome ? true : undefined));
	return { datanet: id };
})();
const transfers = await throughput(
	'transfers',
	burst,
	(a, c, i) => a.tx.balances.transferKeepAlive(callers[(i + 1) % callers.length].address, OPEN),
	(e) => api.events.balances.Transfer.is(e),
);
const digitsPool = loadDigits();
/** Record `i`: a digit with random noise, and one pixel set from `i`, so that none repeats.
 * Returns [payload hex, label]. */
const noisyDigit = (i) => {
	const base = digitsPool[i % digitsPool.length];
	const pixels = Uint8Array.from(base.pixels, (v) => Math.max(0, Math.min(16, v + Math.floor(Math.random() * 3) - 1)));
	pixels[i % 64] = (i >> 6) % 17;
	return [u8aToHex(pixels), base.label];
};
const textPool = dataset.schema.Text ? dataset.rows.concat(inputs.map((text) => [text, 0])) : [];
/** Record `i` of a Text Datanet: a record of the data set (the inputs labelled 0) and `i`. */
const textRecord = (i) => {
	const [text, label] = textPool[i % textPool.length];
	const suffix = ` [${i}]`;
	let body = [...text];
	while (Buffer.byteLength(body.join('') + suffix, 'utf8') > MAX_PAYLOAD_BYTES) body = body.slice(0, -1);
	return [body.join('') + suffix, label];
};
const newRecord = dataset.schema.Text ? textRecord : noisyDigit;
const contributions = await throughput(
	'contributions',
	burst,
	(a, c, i) => a.tx.datanets.contribute(open, ...newRecord(i)),
	(e) => api.events.datanets.RecordContributed.is(e),
);
// The same number of records again, in `contribute_batch` transactions of BATCH records each
// (how a contributor uploads a data set), spread over the callers.
const BATCH = Math.min(256, Number(api.consts.datanets.maxContributionBatch.toString()));
const batched = await throughput(
	`contributions in batches of ${BATCH}`,
	Math.ceil(burst / BATCH),
	(a, c, t) => a.tx.datanets.contributeBatch(open, Array.from({ length: BATCH }, (_, j) => newRecord(burst + t * BATCH + j))),
	(e) => api.events.datanets.RecordContributed.is(e),
	BATCH,
);

// Paid inferences at `rate` per second for `seconds`.
const from = await finalized();
const watcher = new ChainWatcher(api, from);
await watcher.start();
log(`sending ${Math.round(rate * seconds)} invocations, ${rate.toFixed(2)} per second (${((rate * blockMs) / 1000).toFixed(1)} per block) for ${seconds} s, from ${callerCount} callers through ${apis.length} nodes`);
let lastLog = 0;
const sentAt = Date.now();
const sent = await sendInvocations(apis, {
	agent,
	fee,
	callers,
	inputs,
	rate,
	seconds,
	onTick: (n) => {
		if (Date.now() - lastLog > 30_000) {
			lastLog = Date.now();
			const s = summarise(watcher);
			log(`${n} sent, ${s.requested} requested on chain, ${s.completed} paid, ${s.refunded} refunded (finalised #${watcher.next - 1})`);
		}
	},
});
const sendSeconds = (Date.now() - sentAt) / 1000;
log(`all sent in ${sendSeconds.toFixed(0)} s; ${sent.rejected} rejected by the pool${sent.firstError ? ` (${sent.firstError})` : ''}; waiting for every result`);
await watcher.settled(sent.sent - sent.rejected, 900_000);
watcher.stop();
const s = summarise(watcher);
const usageAfter = pids.map(processUsage);
const wall = (Date.now() - t0) / 1000;

// Block fullness over the blocks that carried invocations or their answers.
const first = Math.min(...[...watcher.inferences.values()].map((i) => i.requested ?? Infinity));
const last = Math.max(...[...watcher.inferences.values()].map((i) => i.paid ?? i.refunded ?? 0));
const window = watcher.blocks.filter((b) => b.number >= first && b.number <= last);
const limits = api.consts.system.blockWeights;
const maxNormal = limits.perClass.normal.maxTotal.unwrap().refTime.toBigInt();
const maxLength = Number(api.consts.system.blockLength.max.normal.toString());
const pct = (x) => `${(x * 100).toFixed(1)}%`;
const weightShare = window.map((b) => Number(b.normal) / Number(maxNormal));
const lengthShare = window.map((b) => b.length / maxLength);
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const completedPerSecond = s.completed / ((window.length * blockMs) / 1000);

console.log('');
console.log(`### Paid inference: ${rate.toFixed(2)} per second for ${seconds} s (${((rate * blockMs) / 1000).toFixed(1)} per ${blockMs / 1000} s block), ${callerCount} callers, ${apis.length} validators, committee ${Math.min(params.committeeSize, attestors)}`);
console.log('');
console.log('| sent | rejected by the pool | completed (paid) | refunded | completed per second | most requested in one block | invoke → result p50 / p90 / max | invoke → claimable reward p50 / p90 / max |');
console.log('|---|---|---|---|---|---|---|---|');
console.log(
	`| ${sent.sent} | ${sent.rejected} | ${s.completed} | ${s.refunded} | ${completedPerSecond.toFixed(1)} | ${s.maxRequestedPerBlock} | ${s.toResult.p50} / ${s.toResult.p90} / ${s.toResult.max} blocks | ${s.toReward.p50} / ${s.toReward.p90} / ${s.toReward.max} blocks |`,
);
console.log('');
console.log(`Blocks #${first}–#${last} (${window.length}): normal-class weight ${pct(mean(weightShare))} of its limit on average, ${pct(Math.max(...weightShare))} at most; length ${pct(mean(lengthShare))} on average, ${pct(Math.max(...lengthShare))} at most. Attestations: ${watcher.attestations.items} in ${watcher.attestations.txs} batch transactions (${watcher.attestations.failedItems} items failed, late commits included). Commit round (job created → reveals open) p50 / p90 / max ${s.commitRound.p50} / ${s.commitRound.p90} / ${s.commitRound.max} blocks; reveal round (→ decided) ${s.revealRound.p50} / ${s.revealRound.p90} / ${s.revealRound.max} blocks.`);
if (opts.trace) {
	writeFileSync(opts.trace, JSON.stringify({ blocks: watcher.blocks, jobs: [...watcher.jobs.entries()] }, (_, v) => (typeof v === 'bigint' ? Number(v) : v)));
	log(`per-block trace written to ${opts.trace}`);
}
if (pids.length > 0) {
	console.log('');
	console.log('| node | CPU (share of one core, whole run) | peak memory (VmHWM) |');
	console.log('|---|---|---|');
	const names = ['alice', 'bob', 'charlie', 'dave'];
	pids.forEach((pid, i) => {
		const cpu = (usageAfter[i].cpuSeconds - usageBefore[i].cpuSeconds) / wall;
		console.log(`| ${names[i] ?? pid} | ${pct(cpu)} | ${usageAfter[i].peakMiB.toFixed(0)} MiB |`);
	});
}
const engineEnd = await engineMetricsAll();
console.log('');
console.log(`### The engine on each node: the ${dataset.title} Datanet of ${records} records, ${JSON.stringify(dataset.spec.featurizer)} and ${JSON.stringify(dataset.spec.architecture)} (Prometheus metrics)`);
console.log('');
console.log(`Payloads contributed: ${(payloadBytes / 2 ** 20).toFixed(1)} MiB in ${records} records${dbBefore === undefined ? '' : `; ${opts.db} on disk: ${dbBefore.toFixed(0)} MiB before the set-up, ${dbAfter.toFixed(0)} MiB after it (+${(dbAfter - dbBefore).toFixed(0)} MiB: the records, their index and the blocks that carried them)`}.`);
console.log('');
// Training time: the sum over the engine's train calls, since a call for a model it holds is
// answered from memory in microseconds and would pull a mean down.
console.log('| node | records ingested | ingest time (records/s) | training time (sum of train calls) | inferences attributed | mean attribution time | models held | model bytes (est.) |');
console.log('|---|---|---|---|---|---|---|---|');
engineEnd.forEach((m, i) => {
	const t = engineAfterTraining[i];
	const inferCount = (m.openledger_attribution_infer_seconds_count ?? 0) - (t.openledger_attribution_infer_seconds_count ?? 0);
	const inferSum = (m.openledger_attribution_infer_seconds_sum ?? 0) - (t.openledger_attribution_infer_seconds_sum ?? 0);
	const trainCount = t.openledger_attribution_train_seconds_count ?? 0;
	const trainSum = t.openledger_attribution_train_seconds_sum ?? 0;
	const ingestSum = t.openledger_attribution_ingest_seconds_sum ?? 0;
	const ingested = t.openledger_attribution_records_ingested_total ?? 0;
	const ingest = ingestSum > 0 ? `${ingestSum.toFixed(2)} s (${Math.round(ingested / ingestSum)})` : '?';
	console.log(
		`| ${['alice', 'bob', 'charlie', 'dave'][i] ?? i} | ${m.openledger_attribution_records_ingested_total ?? '?'} | ${ingest} | ${trainCount ? `${trainSum.toFixed(2)} s` : '?'} | ${inferCount} | ${inferCount ? `${((inferSum / inferCount) * 1000).toFixed(2)} ms` : '?'} | ${m.openledger_attribution_models_held ?? '?'} | ${m.openledger_attribution_model_bytes ? `${(m.openledger_attribution_model_bytes / 2 ** 20).toFixed(1)} MiB` : '?'} |`,
	);
});
console.log('');
console.log('### Transfers and contributions, the same number of each at once, in the same run');
console.log('');
console.log('| kind | sent | rejected | blocks that included them | most in one block | per second |');
console.log('|---|---|---|---|---|---|');
for (const t of [transfers, contributions, batched]) {
	console.log(`| ${t.name} | ${t.sent} | ${t.rejected} | ${t.blocks} | ${t.best} | ${t.perSecond.toFixed(1)} |`);
}
console.log('');
console.log(
	`Contributions per second are ${pct(contributions.perSecond / transfers.perSecond)} of transfers per second one per transaction, ${pct(batched.perSecond / transfers.perSecond)} in batches; ` +
		`the most in one block ${pct(contributions.best / transfers.best)} and ${pct(batched.best / transfers.best)} of the transfers' (a block that was full only if more were sent than it took).`,
);
await Promise.all(apis.map((a) => a.disconnect()));
process.exit(s.refunded === 0 && s.completed === sent.sent - sent.rejected ? 0 : 1);
