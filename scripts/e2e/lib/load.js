// Paid inference under load, shared by the load benchmark (scripts/load.sh, bench/load.js) and
// its short version in the end-to-end tests (tests/load.test.js): set up a Datanet (digits or
// State of the Union text), a model and an agent; fund callers; send invocations at a fixed rate; follow every block's events, weight
// and length until each inference has its result, its payout or its refund.

import { readFileSync } from 'node:fs';

import { Keyring } from '@polkadot/keyring';
import { u8aToHex } from '@polkadot/util';

import { findEvent, ok as okWith, OPEN, until as untilWith } from './chain.js';
import { loadDigits } from './digits.js';
import { ERAS, sotuRecords } from './sotu.js';

export { OPEN };

/** A small MLP on the 64 raw pixels of the digits: what an agent would serve. */
export const LOAD_SPEC = {
	featurizer: 'Raw',
	architecture: { Mlp1: { hidden: 16 } },
	epochs: 20,
	learningRate: 50_000_000,
	batchSize: 32,
	l2: 1_000_000,
	seed: 3,
};

/** A small MLP on 1,024 hashed word and character n-grams of a text. */
export const TEXT_SPEC = {
	featurizer: { HashedNgrams: { dims: 1024 } },
	architecture: { Mlp1: { hidden: 16 } },
	epochs: 10,
	learningRate: 100_000_000,
	batchSize: 32,
	l2: 1_000_000,
	seed: 3,
};

const event = findEvent;
/** The load's transactions wait for inclusion only, and long: blocks are full. */
const ok = (api, tx, who) => okWith(api, tx, who, { until: 'inBlock', timeoutMs: 300_000 });
/** `until` with the load's patience: trainings on large Datanets take minutes. */
export const until = (check, timeoutMs = 600_000) => untilWith(check, timeoutMs);

/** The digits, each (label, pixels) once. */
function distinctDigits() {
	const seen = new Set();
	return loadDigits().filter(({ pixels, label }) => {
		const key = `${label}:${u8aToHex(pixels)}`;
		return !seen.has(key) && seen.add(key);
	});
}

/**
 * `n` distinct records made from the digits by shifting each image by up to one pixel and
 * adding noise (a deterministic generator): for measuring speed and memory only, not quality.
 */
export function augmentedDigits(n) {
	const digits = distinctDigits();
	const seen = new Set();
	const out = [];
	let state = 0x9e3779b9;
	const next = () => {
		state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
		return state;
	};
	for (let i = 0; out.length < n; i += 1) {
		const { pixels, label } = digits[i % digits.length];
		const variant = Math.floor(i / digits.length);
		const dx = (variant % 3) - 1;
		const dy = (Math.floor(variant / 3) % 3) - 1;
		const img = new Uint8Array(64);
		for (let y = 0; y < 8; y += 1) {
			for (let x = 0; x < 8; x += 1) {
				const sx = x - dx;
				const sy = y - dy;
				const v = sx >= 0 && sx < 8 && sy >= 0 && sy < 8 ? pixels[sy * 8 + sx] : 0;
				const noise = variant >= 9 ? (next() % 3) - 1 : 0;
				img[y * 8 + x] = Math.max(0, Math.min(16, v + noise));
			}
		}
		const key = `${label}:${u8aToHex(img)}`;
		if (!seen.has(key)) {
			seen.add(key);
			out.push({ pixels: img, label });
		}
	}
	return out;
}

/**
 * Signs `txs` from `signer` with consecutive nonces and keeps up to `inFlight` in the pool at a
 * time; resolves once the chain has counted them all (its nonce for `signer` reached the last).
 */
export async function sendInFlight(api, txs, signer, { inFlight = 8, log = () => {} } = {}) {
	const first = (await api.query.system.account(signer.address)).nonce.toNumber();
	const onChain = async () => (await api.query.system.account(signer.address)).nonce.toNumber();
	let sent = 0;
	let lastLog = Date.now();
	while (sent < txs.length) {
		const done = (await onChain()) - first;
		while (sent < txs.length && sent - done < inFlight) {
			const signed = await txs[sent].signAsync(signer, { nonce: first + sent, era: 0 });
			await api.rpc.author.submitExtrinsic(signed);
			sent += 1;
		}
		if (Date.now() - lastLog > 20_000) {
			lastLog = Date.now();
			log(`${done} of ${txs.length} transactions in blocks`);
		}
		await new Promise((r) => setTimeout(r, 500));
	}
	await until(async () => ((await onChain()) - first >= txs.length ? true : undefined));
}

/**
 * What an agent's Datanet holds and what its callers send: { title, description, license,
 * schema, spec, rows: [[payload, label]], inputs: [payload] }, payloads as hex or text.
 *
 * Digits: the first `records` distinct digits (above the 1,797 there are, digits augmented by
 * shifts and noise); the inputs are the digits left out (all of them, when augmented).
 */
export function digitsDataset(records) {
	const digits = distinctDigits();
	const training = records <= digits.length ? digits.slice(0, records) : augmentedDigits(records);
	return {
		title: 'digits',
		description: 'digits for the load benchmark',
		license: 'CC-BY-4.0',
		schema: { Dense: { dims: 64, classes: 10, maxValue: 16 } },
		spec: LOAD_SPEC,
		rows: training.map(({ pixels, label }) => [u8aToHex(pixels), label]),
		inputs: (records <= digits.length ? digits.slice(records) : digits).map(({ pixels }) => u8aToHex(pixels)),
	};
}

/**
 * State of the Union: the first `records` records of lib/sotu.js (sentences joined into a few
 * hundred bytes, labelled with their half-century); the inputs are the records left out.
 */
export function sotuDataset(records) {
	const all = sotuRecords();
	if (records >= all.length) throw new Error(`the addresses give ${all.length} records, and some must be left out as inputs`);
	return {
		title: 'State of the Union',
		description: 'sentences of the State of the Union addresses, 1790-2018, by half-century',
		license: 'public domain (US government works)',
		schema: { Text: { classes: ERAS.length } },
		spec: TEXT_SPEC,
		rows: all.slice(0, records).map(({ text, label }) => [text, label]),
		inputs: all.slice(records).map(({ text }) => text),
	};
}

/**
 * A Datanet of `dataset` (digitsDataset or sotuDataset) contributed and published by `owner`, a
 * model of its spec registered by `developer` and trained by the attestors, an agent on the
 * model, and `callers` callers (`//load/<i>`) funded by `developer` with `funds` each. Each
 * party's calls go in one `utility.batchAll`, so that set-up takes a few blocks; a Datanet of more
 * records than one `contribute_batch` takes goes in several, some in flight at once. Returns {
 * datanet, model, agent, fee, inputs, callers } (`fee`: what one invocation pays; `inputs`:
 * records outside the training set).
 */
export async function setUpAgent(api, { owner, developer, dataset = digitsDataset(150), callers = 0, funds = 0n, log = () => {} }) {
	const { rows } = dataset;
	const records = rows.length;
	const datanet = (await api.query.datanets.nextDatanetId()).toNumber();
	const started = Date.now();
	const create = api.tx.datanets.create(dataset.title, dataset.description, dataset.license, dataset.schema, 'Open');
	const perBatch = Number(api.consts.datanets.maxContributionBatch.toString());
	if (rows.length <= perBatch) {
		// The contribution ends its extrinsic (its payloads are indexed from the extrinsic's last
		// bytes): the version goes in the next.
		await ok(api, api.tx.utility.batchAll([create, api.tx.datanets.contributeBatch(datanet, rows)]), owner);
		await ok(api, api.tx.datanets.publishVersion(datanet, records), owner);
	} else {
		await ok(api, create, owner);
		const batches = [];
		for (let i = 0; i < rows.length; i += perBatch) batches.push(api.tx.datanets.contributeBatch(datanet, rows.slice(i, i + perBatch)));
		await sendInFlight(api, batches, owner, { log });
		await ok(api, api.tx.datanets.publishVersion(datanet, records), owner);
		const seconds = (Date.now() - started) / 1000;
		log(`${records} records contributed through ${batches.length} batch transactions and published in ${seconds.toFixed(0)} s (${(records / seconds).toFixed(0)} records/s)`);
	}
	const keyring = new Keyring({ type: 'sr25519' });
	const callerKeys = Array.from({ length: callers }, (_, i) => keyring.addFromUri(`//load/${i}`));
	const modelFee = OPEN;
	const model = (await api.query.models.nextModelId()).toNumber();
	await ok(
		api,
		api.tx.utility.batchAll([
			api.tx.models.register(datanet, 1, dataset.spec, modelFee, ''),
			...callerKeys.map((c) => api.tx.balances.transferKeepAlive(c.address, funds)),
		]),
		developer,
	);
	log(`model ${model} registered on Datanet ${datanet} (${records} records); waiting for the attestors to train it`);
	const status = await until(async () => {
		const s = (await api.call.modelsApi.model(model)).unwrap().status;
		return s.isTraining ? undefined : s;
	});
	if (!status.isActive) throw new Error(`model ${model} did not train: ${status.type}`);
	log(`model ${model} trained: held-out accuracy ${(status.asActive.accuracy.toNumber() / 1e7).toFixed(1)}%`);
	const agentFee = OPEN / 10n;
	const registeredAgent = await ok(api, api.tx.agents.register(model, 'load', agentFee), developer);
	const agent = event(api, registeredAgent.events, 'agents', 'AgentRegistered').data.agent;
	return { datanet, model, agent, fee: modelFee + agentFee, inputs: dataset.inputs, callers: callerKeys };
}

/**
 * Follows the chain from the block after `from`, block by block (finalised heads, so that no
 * fork is counted), and collects per block its weight, length and extrinsics, and per inference
 * the block it was requested in, decided in (`ResultPending`, or paid at once) and paid in
 * (`InferenceAttributed`: its rewards are claimable), or refunded in.
 */
export class ChainWatcher {
	constructor(api, from) {
		this.api = api;
		this.next = from + 1;
		this.blocks = [];
		this.inferences = new Map();
		this.attestations = { txs: 0, items: 0, failedItems: 0 };
		// Per inference job: the blocks it was created in, its commit round closed in, and it
		// was decided in (job id → { inference, created, opened, decided }).
		this.jobs = new Map();
		this.queue = Promise.resolve();
	}

	async start() {
		this.unsub = await this.api.rpc.chain.subscribeFinalizedHeads((header) => {
			const upTo = header.number.toNumber();
			this.queue = this.queue.then(() => this.catchUp(upTo)).catch((e) => {
				this.error = e;
			});
		});
	}

	stop() {
		if (this.unsub) this.unsub();
	}

	inference(id) {
		let i = this.inferences.get(id);
		if (!i) {
			i = {};
			this.inferences.set(id, i);
		}
		return i;
	}

	async catchUp(upTo) {
		const { api } = this;
		for (; this.next <= upTo; this.next += 1) {
			const n = this.next;
			const hash = await api.rpc.chain.getBlockHash(n);
			const [{ block }, at] = await Promise.all([api.rpc.chain.getBlock(hash), api.at(hash)]);
			const [events, weight] = await Promise.all([at.query.system.events(), at.query.system.blockWeight()]);
			let length = 0;
			let invokes = 0;
			const batches = [];
			for (const ex of block.extrinsics) {
				length += ex.encodedLength;
				const { section, method, args } = ex.method;
				if (section === 'attribution' && (method === 'commitBatch' || method === 'revealBatch')) {
					this.attestations.txs += 1;
					this.attestations.items += args[0].length;
					batches.push({ signer: ex.signer.toString().slice(0, 6), nonce: ex.nonce.toNumber(), method, items: args[0].length });
				} else if (section === 'agents' && method === 'invoke') invokes += 1;
			}
			for (const { event: e } of events) {
				if (api.events.agents.InferenceRequested.is(e)) this.inference(e.data.inference.toNumber()).requested = n;
				else if (api.events.attribution.JobCreated.is(e) && e.data.kind.isInfer) {
					this.jobs.set(e.data.job.toNumber(), { inference: e.data.kind.asInfer.inference.toNumber(), created: n });
				} else if (api.events.attribution.RevealOpened.is(e)) {
					const j = this.jobs.get(e.data.job.toNumber());
					if (j) j.opened = n;
				} else if (api.events.attribution.ResultPending.is(e)) {
					this.inference(e.data.inference.toNumber()).decided = n;
					const j = this.jobs.get(e.data.job.toNumber());
					if (j) j.decided = n;
				}
				else if (api.events.attribution.InferenceAttributed.is(e)) {
					const i = this.inference(e.data.inference.toNumber());
					i.paid = n;
					if (i.decided === undefined) i.decided = n;
				} else if (api.events.agents.InferenceRefunded.is(e)) this.inference(e.data.inference.toNumber()).refunded = n;
				else if (api.events.attribution.BatchItemFailed.is(e)) this.attestations.failedItems += 1;
			}
			this.blocks.push({
				number: n,
				extrinsics: block.extrinsics.length,
				length,
				normal: weight.normal.refTime.toBigInt(),
				operational: weight.operational.refTime.toBigInt(),
				mandatory: weight.mandatory.refTime.toBigInt(),
				invokes,
				batches,
			});
		}
	}

	/** Resolves once `expected` inferences were requested and each was paid or refunded. */
	async settled(expected, timeoutMs = 600_000) {
		return until(() => {
			if (this.error) throw this.error;
			const requested = [...this.inferences.values()].filter((i) => i.requested !== undefined);
			const open = requested.filter((i) => i.paid === undefined && i.refunded === undefined);
			return requested.length >= expected && open.length === 0 ? true : undefined;
		}, timeoutMs);
	}
}

/**
 * Sends `rate` invocations per second for `seconds`, round-robin over `callers` (each always
 * through the same API of `apis`, with nonces counted here). Returns { sent, rejected,
 * firstError }. Transactions are immortal, so that signing needs no block hash.
 */
export async function sendInvocations(apis, { agent, fee, callers, inputs, rate, seconds, onTick = () => {} }) {
	const nonces = await Promise.all(callers.map(async (c, i) => (await apis[i % apis.length].query.system.account(c.address)).nonce.toNumber()));
	const total = Math.round(rate * seconds);
	const tickMs = 100;
	const start = Date.now();
	let sent = 0;
	let rejected = 0;
	let firstError;
	const pending = [];
	while (sent < total) {
		const due = Math.min(total, Math.floor(((Date.now() - start) / 1000) * rate));
		for (; sent < due; sent += 1) {
			const i = sent % callers.length;
			const api = apis[i % apis.length];
			const input = inputs[sent % inputs.length];
			const tx = api.tx.agents.invoke(agent, input, fee);
			const nonce = nonces[i];
			nonces[i] += 1;
			pending.push(
				tx
					.signAsync(callers[i], { nonce, era: 0 })
					.then((signed) => api.rpc.author.submitExtrinsic(signed))
					.catch((e) => {
						rejected += 1;
						if (!firstError) firstError = e.message;
					}),
			);
		}
		onTick(sent);
		await new Promise((r) => setTimeout(r, tickMs));
	}
	await Promise.all(pending);
	return { sent, rejected, firstError };
}

/** The `p`-quantile (0..1) of `values`, by the nearest rank. */
export function quantile(values, p) {
	if (values.length === 0) return NaN;
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

/** Summary of the inferences and blocks a watcher saw. */
export function summarise(watcher) {
	const all = [...watcher.inferences.values()].filter((i) => i.requested !== undefined);
	const decided = all.filter((i) => i.decided !== undefined).map((i) => i.decided - i.requested);
	const paid = all.filter((i) => i.paid !== undefined).map((i) => i.paid - i.requested);
	const refunded = all.filter((i) => i.refunded !== undefined).length;
	const perBlock = new Map();
	for (const i of all) perBlock.set(i.requested, (perBlock.get(i.requested) ?? 0) + 1);
	const jobs = [...watcher.jobs.values()];
	const commitRound = jobs.filter((j) => j.opened !== undefined).map((j) => j.opened - j.created);
	const revealRound = jobs.filter((j) => j.decided !== undefined && j.opened !== undefined).map((j) => j.decided - j.opened);
	const stage = (xs) => ({ p50: quantile(xs, 0.5), p90: quantile(xs, 0.9), max: Math.max(...xs) });
	return {
		requested: all.length,
		commitRound: stage(commitRound),
		revealRound: stage(revealRound),
		completed: paid.length,
		refunded,
		maxRequestedPerBlock: Math.max(0, ...perBlock.values()),
		toResult: { p50: quantile(decided, 0.5), p90: quantile(decided, 0.9), max: Math.max(...decided) },
		toReward: { p50: quantile(paid, 0.5), p90: quantile(paid, 0.9), max: Math.max(...paid) },
	};
}

/** CPU seconds (user + system) and peak resident memory (MiB) of process `pid`, from /proc. */
export function processUsage(pid) {
	const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
	const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	const ticks = Number(fields[11]) + Number(fields[12]);
	const status = readFileSync(`/proc/${pid}/status`, 'utf8');
	const hwm = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
	return { cpuSeconds: ticks / 100, peakMiB: hwm / 1024 };
}
