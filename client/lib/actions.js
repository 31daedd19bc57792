// What users do on the chain, as one call each: create a Datanet, contribute, publish, register a
// model or an agent, invoke an agent (or have its answer at once, then judge it by the chain)
// and wait for its attribution, claim, transfer. Each sends
// its extrinsic, waits for what it reads next to be there, and returns plain values; a refusal
// is a `ChainError` naming the chain's error. The command-line client only parses and prints
// around these; the explorer and the end-to-end tests call them too.

import { compactToU8a, hexToU8a, stringToU8a, u8aConcat, u8aToHex } from '@polkadot/util';
import { blake2AsHex, signatureVerify } from '@polkadot/util-crypto';

import { ASSET_COLLECTIONS, ASSET_KINDS, modelStatus } from './queries.js';
import { describeError, sendAndWait } from './tx.js';

/** The chain refused or failed an action: a dispatch error, a missing event, a timeout. */
export class ChainError extends Error {}

/** Sends `tx` from `who` (see `sendAndWait`); a dispatch error becomes a `ChainError` naming
 * `what`. Resolves with `sendAndWait`'s result. */
export async function send(api, tx, who, what, options) {
	let r;
	try {
		r = await sendAndWait(api, tx, who, options);
	} catch (e) {
		throw new ChainError(`${what}: ${e.message}`);
	}
	if (r.dispatchError) throw new ChainError(`${what}: the chain refused it: ${r.dispatchError}`);
	return r;
}

/** The data of the event `section.method` in the result `r` of `send`; a `ChainError` if none. */
export function eventData(r, section, method) {
	const found = r.events.find(({ event: e }) => e.section === section && e.method === method);
	if (!found) throw new ChainError(`no ${section}.${method} event in block ${r.blockHash.toHex()}`);
	return found.event.data;
}

/** The block number of `hash`. */
async function numberOf(api, hash) {
	return (await api.rpc.chain.getHeader(hash)).number.toNumber();
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Creates a Datanet: `schema` is `{ Dense: { dims, classes, maxValue } }` or `{ Text: {
 * classes } }`. Returns its id. */
export async function createDatanet(api, who, { name, description = '', license = 'CC-BY-4.0', schema, curated = false }) {
	const r = await send(api, api.tx.datanets.create(name, description, license, schema, curated ? 'Curated' : 'Open'), who, 'create');
	return eventData(r, 'datanets', 'DatanetCreated').datanet.toNumber();
}

/** Contributes `records` ([{ payload: Uint8Array, label }]) to `datanet` in one transaction,
 * waiting for its block only (the next batch's nonce is read from that block). Returns how many
 * were accepted at once (the rest wait for a curator). */
export async function contributeBatch(api, who, datanet, records) {
	// Hex: @polkadot/api reads a Uint8Array given for `Vec<u8>` as already SCALE-encoded.
	const tx = api.tx.datanets.contributeBatch(datanet, records.map((r) => [u8aToHex(r.payload), r.label]));
	const r = await send(api, tx, who, `the batch of ${records.length}`, { until: 'inBlock' });
	return r.events.filter(({ event: e }) => e.section === 'datanets' && e.method === 'RecordAccepted').length;
}

/** Publishes a version of `datanet` of its first `count` accepted records (default: all).
 * Returns { version, count, root }. */
export async function publishVersion(api, who, datanet, count) {
	const info = await api.call.datanetsApi.datanet(datanet);
	if (info.isNone) throw new ChainError(`Datanet ${datanet} does not exist`);
	const n = count ?? info.unwrap().accepted.toNumber();
	const e = eventData(await send(api, api.tx.datanets.publishVersion(datanet, n), who, 'publish'), 'datanets', 'VersionPublished');
	return { version: e.version.toNumber(), count: e.count.toNumber(), root: e.root.toHex() };
}

/** `json` as the chain's `ModelSpec`, typed from the metadata: an unknown or missing field is an
 * error naming it, but for `method` ("Influence" or "Replay"), which defaults to "Influence". */
export function modelSpec(api, json) {
	const spec = api.createType(api.tx.models.register.meta.args[2].type.toString(), json);
	const fields = Object.keys(spec.toJSON());
	const unknown = Object.keys(json).filter((f) => !fields.includes(f));
	if (unknown.length) throw new Error(`unknown field ${unknown.join(', ')}; a ModelSpec has ${fields.join(', ')}`);
	// A spec without a method is attributed by the influence function (the chain's default).
	const missing = fields.filter((f) => !(f in json) && f !== 'method');
	if (missing.length) throw new Error(`missing ${missing.join(', ')}`);
	return spec;
}

/** Registers a model by `spec` with `fee` per inference, on a Datanet version (`datanet`,
 * `version`) or on several (`mix`: [{ datanet, version, weight }], in the order that places
 * their records). Returns its id; the attestors train it from then (`waitForModel`). */
export async function registerModel(api, who, { datanet, version, mix, spec, fee = 0n, metadata = '' }) {
	const call = mix
		? api.tx.models.registerMix(mix.map((s) => [s.datanet, s.version, s.weight ?? 1]), spec, fee, metadata)
		: api.tx.models.register(datanet, version, spec, fee, metadata);
	const r = await send(api, call, who, mix ? 'registerMix' : 'register');
	return eventData(r, 'models', 'ModelRegistered').model.toNumber();
}

/** Registers an agent on `model` with its own `fee` per inference. Returns its id. */
export async function registerAgent(api, who, { model, fee = 0n, metadata = '' }) {
	const r = await send(api, api.tx.agents.register(model, metadata, fee), who, 'agent');
	return eventData(r, 'agents', 'AgentRegistered').agent.toNumber();
}

/** Pays `agent` for an inference on `input` (bytes, hex), at most `maxFee`. Waits for its block
 * only; returns { inference, fee, block } (the block it was paid in). */
export async function invoke(api, who, { agent, input, maxFee }) {
	const r = await send(api, api.tx.agents.invoke(agent, input, maxFee), who, 'invoke', { until: 'inBlock' });
	const e = eventData(r, 'agents', 'InferenceRequested');
	return { inference: e.inference.toNumber(), fee: e.fee.toBigInt(), block: await numberOf(api, r.blockHash) };
}

/** What an attestor signs when it answers the extrinsic of hash `extrinsic` (hex) with the
 * outcome of hash `outcome` (hex): SCALE of ("openledger/answer", extrinsic, outcome), the
 * context with its compact length, as `pallet_attribution::answer_payload`. */
export function answerPayload(extrinsic, outcome) {
	return u8aConcat(compactToU8a(17), stringToU8a('openledger/answer'), hexToU8a(extrinsic), hexToU8a(outcome));
}

/**
 * The answer at once: signs the invoke and sends it to the node's `attribution_answer` (an
 * attestor node) instead of its pool. Resolves before any block with `{ answer, outcome, from }`:
 * the node's signed answer (`AttributionAnswer`), its outcome decoded as `attribution.reveal`'s
 * argument, and the first block that can include the invoke (for `invokedBy`). The node pools
 * the extrinsic; a refusal, or an answer that is not for this extrinsic or not signed by its
 * attestor, is a `ChainError`.
 */
export async function invokeNow(api, who, { agent, input, maxFee }) {
	const [account, options] = who.signer ? [who.address, { signer: who.signer }] : [who, {}];
	const from = (await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber() + 1;
	const signed = await api.tx.agents.invoke(agent, input, maxFee).signAsync(account, { nonce: -1, ...options });
	let answer;
	try {
		answer = await api.rpc.attribution.answer(signed.toHex());
	} catch (e) {
		throw new ChainError(`the node did not answer: ${e.message}`);
	}
	// An answer binds its attestor only if it is what the attestor signed, for this extrinsic.
	if (answer.extrinsic.toHex() !== signed.hash.toHex()) throw new ChainError(`the answer names extrinsic ${answer.extrinsic.toHex()}, not ${signed.hash.toHex()}`);
	if (blake2AsHex(answer.outcome) !== answer.outcomeHash.toHex()) throw new ChainError('the answer\'s outcome hash is not that of its outcome');
	if (!signatureVerify(answerPayload(answer.extrinsic.toHex(), answer.outcomeHash.toHex()), answer.signature, answer.attestor.toString()).isValid) {
		throw new ChainError('the answer is not signed by its attestor');
	}
	const outcomeType = api.tx.attribution.reveal.meta.args.find((a) => a.name.toString() === 'outcome').type.toString();
	return { answer, outcome: api.createType(outcomeType, answer.outcome), from };
}

/**
 * The inference that the extrinsic of hash `extrinsic` opened, once its block is final: scans
 * every finalised block from number `from` on (GRANDPA finalises several at once) for the
 * extrinsic, and reads its `agents.InferenceRequested`. Returns `{ inference, fee, block }` as
 * `invoke` does; a `ChainError` if the invoke failed, or after `timeoutMs`.
 */
export async function invokedBy(api, extrinsic, { from, timeoutMs = 120_000 }) {
	const deadline = Date.now() + timeoutMs;
	let next = from;
	for (;;) {
		const last = (await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber();
		for (; next <= last; next += 1) {
			const hash = await api.rpc.chain.getBlockHash(next);
			const { block } = await api.rpc.chain.getBlock(hash);
			const index = block.extrinsics.findIndex((x) => x.hash.toHex() === extrinsic);
			if (index < 0) continue;
			const events = (await (await api.at(hash)).query.system.events()).filter(
				({ phase }) => phase.isApplyExtrinsic && phase.asApplyExtrinsic.toNumber() === index,
			);
			const requested = events.find(({ event }) => api.events.agents.InferenceRequested.is(event));
			if (!requested) {
				const failed = events.find(({ event }) => api.events.system.ExtrinsicFailed.is(event));
				throw new ChainError(`the invoke failed in block ${next}: ${failed ? describeError(api, failed.event.data.dispatchError) : 'no inference requested'}`);
			}
			const e = requested.event.data;
			return { inference: e.inference.toNumber(), fee: e.fee.toBigInt(), block: next };
		}
		if (Date.now() > deadline) throw new ChainError(`the invoke ${extrinsic} was in no finalised block after ${timeoutMs / 1000} s`);
		await sleep(1_000);
	}
}

/**
 * Judges an early `answer` (from `invokeNow`) by the chain: the hash of the outcome that
 * inference `inference` paid out (`attribution.requests`, at the finalised head) against the
 * answer's. If they differ, `who` reports the answer (`attribution.reportAnswer`: the attestor
 * is struck and slashed; free when it succeeds). Call it once the inference is Completed
 * (`waitForInference`). Returns `{ decided, matches, reported }`.
 */
export async function judgeAnswer(api, who, inference, answer) {
	const at = await api.at(await api.rpc.chain.getFinalizedHead());
	const request = await at.query.attribution.requests(inference);
	if (request.isNone || request.unwrap().decided.isNone) {
		throw new ChainError(`inference ${inference} has no paid-out outcome to judge the answer by`);
	}
	const decided = request.unwrap().decided.unwrap().toHex();
	if (decided === answer.outcomeHash.toHex()) return { decided, matches: true, reported: false };
	const report = api.tx.attribution.reportAnswer(inference, answer.attestor, answer.outcomeHash, { Sr25519: answer.signature.toHex() });
	await send(api, report, who, 'report the answer');
	return { decided, matches: false, reported: true };
}

/**
 * Waits until inference `inference` (paid in block `block`) is Completed or Refunded at the
 * finalised head, and returns its `attributionApi.inference` record. Finality follows the best
 * block by a block or two, so the inference exists at the finalised head only once `block` is
 * final: until then there is nothing to read there. A `ChainError` after `timeoutMs`, or if
 * the inference is gone (its block was replaced, or it was pruned after the retention period).
 */
export async function waitForInference(api, { inference, block }, { timeoutMs = 300_000 } = {}) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const at = await api.at(await api.rpc.chain.getFinalizedHead());
		if ((await at.query.system.number()).toNumber() >= block) {
			const found = await at.call.attributionApi.inference(inference);
			if (found.isNone) throw new ChainError(`inference ${inference} is no longer on chain: its block was replaced, or it was pruned after the retention period`);
			const info = found.unwrap();
			if (!info.status.isPending) return info;
		}
		if (Date.now() > deadline) throw new ChainError(`inference ${inference} still pending after ${timeoutMs / 1000} s`);
		await sleep(1_000);
	}
}

/** Waits until model `model` leaves Training at the finalised head; `onStatus(status, block)` is
 * told each new status. Returns its final `modelStatus`. */
export function waitForModel(api, model, { timeoutMs = 600_000, onStatus = () => {} } = {}) {
	let last = '';
	return new Promise((resolve, reject) => {
		let unsub = () => {};
		const timer = setTimeout(() => {
			unsub();
			reject(new ChainError(`model ${model} still ${last} after ${timeoutMs / 1000} s`));
		}, timeoutMs);
		const check = async (number) => {
			const s = await modelStatus(api, model);
			if (s.status !== last) {
				last = s.status;
				onStatus(s.status, number);
			}
			if (s.status !== 'Training') {
				clearTimeout(timer);
				unsub();
				resolve(s);
			}
		};
		api.rpc.chain.subscribeFinalizedHeads((h) => check(h.number.toNumber()).catch(reject)).then((u) => (unsub = u), reject);
	});
}

/** Pays out `who`'s claimable rewards to its free balance. Returns the amount. */
export async function claim(api, who) {
	return eventData(await send(api, api.tx.rewards.claim(), who, 'claim'), 'rewards', 'Claimed').amount.toBigInt();
}

/** Pays what `who`'s records earn from now on to `payee` (an address), or to `who` again when
 * `payee` is null; what has accrued stays claimable by `who`. Returns the payee set, or null. */
export async function setPayee(api, who, payee) {
	const r = await send(api, api.tx.rewards.setPayee(payee), who, 'payee');
	return eventData(r, 'rewards', 'PayeeSet').payee.unwrapOr(null)?.toString() ?? null;
}

/** Splits the owner share of a model or an agent that `who` holds (`kind`: 'model' or 'agent')
 * among `parts`, `[{ account, part }]`, while `who` holds it; no parts clear the split. What the
 * old split earned is settled first. Returns the parts set. */
export async function setRevenueShares(api, who, kind, id, parts) {
	const tx = api.tx.rewards.setRevenueShares(ASSET_KINDS[kind], id, parts.map(({ account, part }) => [account, part]));
	const r = await send(api, tx, who, 'shares');
	return eventData(r, 'rewards', 'RevenueSharesSet').parts.map(([account, part]) => ({ account: account.toString(), part: part.toNumber() }));
}

/** Credits what an asset's revenue shares have earned to their accounts' claimable balances.
 * Returns the amount settled (smallest units). */
export async function settleRevenue(api, who, kind, id) {
	const r = await send(api, api.tx.rewards.settleRevenue(ASSET_KINDS[kind], id), who, 'settle');
	return eventData(r, 'rewards', 'RevenueSettled').amount.toBigInt();
}

/** Puts an asset (`kind`: 'datanet', 'model' or 'agent') up for sale at `price` (smallest
 * units) through pallet-nfts, or takes it off sale when `price` is null. */
export async function listAsset(api, who, kind, id, price) {
	await send(api, api.tx.nfts.setPrice(ASSET_COLLECTIONS[kind], id, price, null), who, 'list');
}

/** Buys an asset listed for sale, paying at most `bid` (smallest units). Returns the price paid. */
export async function buyAsset(api, who, kind, id, bid) {
	const r = await send(api, api.tx.nfts.buyItem(ASSET_COLLECTIONS[kind], id, bid), who, 'buy');
	return eventData(r, 'nfts', 'ItemBought').price.toBigInt();
}

/** Gives an asset to `to` through pallet-nfts. */
export async function transferAsset(api, who, kind, id, to) {
	await send(api, api.tx.nfts.transfer(ASSET_COLLECTIONS[kind], id, to), who, 'transfer');
}

/** Transfers `amount` (smallest units) from `who` to `to`, keeping `who` alive. Returns the fee
 * paid. */
export async function transfer(api, who, to, amount) {
	const r = await send(api, api.tx.balances.transferKeepAlive(to, amount), who, 'transfer');
	return r.fee;
}
