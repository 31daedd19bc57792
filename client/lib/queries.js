// Reads of the chain's state through the runtime APIs, as plain values.

import { payloadsOf } from './payloads.js';
import { schemaOf } from './records.js';
import { locate, sourcesOf } from './sources.js';

/** `Option<T>` to T or undefined. */
const some = (opt) => (opt.isSome ? opt.unwrap() : undefined);

/** The NFT collections of the chain's assets: an asset's item has the asset's id. */
export const ASSET_COLLECTIONS = { datanet: 0, model: 1, agent: 2 };

/** The chain's `AssetKind` of each kind of asset. */
export const ASSET_KINDS = { datanet: 'Datanet', model: 'Model', agent: 'Agent' };

/** A Datanet's schema as `schemaOf` gives it; throws if there is no such Datanet. */
export async function datanetSchema(api, datanet) {
	const info = some(await api.call.datanetsApi.datanet(datanet));
	if (!info) throw new Error(`Datanet ${datanet} does not exist`);
	return schemaOf(info.schema, api.consts.datanets.maxPayloadLen.toNumber());
}

/** The hashes among `hashes` (hex) that Datanet `datanet` already holds, pending or accepted. */
export async function existingRecords(api, datanet, hashes) {
	const found = new Set();
	const page = 256;
	for (let i = 0; i < hashes.length; i += page) {
		const slice = hashes.slice(i, i + page);
		const entries = await api.query.datanets.records.multi(slice.map((h) => [datanet, h]));
		entries.forEach((e, j) => {
			if (e.isSome) found.add(slice[j]);
		});
	}
	return found;
}

/** Every record of a Datanet version, in log order, paged by the chain's `MaxPageSize`. */
export async function versionRecords(api, datanet, version, { from = 0, count = Infinity } = {}) {
	const page = api.consts.datanets.maxPageSize.toNumber();
	const out = [];
	for (let at = from; out.length < count; ) {
		const n = Math.min(page, count - out.length);
		const got = await api.call.datanetsApi.versionRecords(datanet, version, at, n);
		out.push(...got);
		if (got.length < n) break;
		at += got.length;
	}
	return out;
}

/** The highest published version of a Datanet, or 0. */
export async function latestVersion(api, datanet) {
	const info = some(await api.call.datanetsApi.datanet(datanet));
	if (!info) throw new Error(`Datanet ${datanet} does not exist`);
	return info.versions.toNumber();
}

/**
 * What `who` has earned as a contributor: { claimable, total, payee, records }. `payee` is the
 * account its records pay from now on (`rewards.setPayee`), or null for `who` itself. `records` lists each of
 * their records in the latest version of every Datanet that has earned something, with
 * { datanet, index, hash, label, earned } (earned in the smallest unit, as BigInt). Earlier
 * versions are prefixes of the latest, so every record that a model can be trained on is there.
 */
export async function contributorEarnings(api, who) {
	const claimable = (await api.call.rewardsApi.claimable(who)).toBigInt();
	const total = (await api.call.rewardsApi.contributorEarnings(who)).toBigInt();
	const me = api.createType('AccountId32', who).toString();
	const paid = (await api.call.rewardsApi.payee(who)).toString();
	const payee = paid === me ? null : paid;
	const records = [];
	const next = (await api.query.datanets.nextDatanetId()).toNumber();
	for (let datanet = 0; datanet < next; datanet++) {
		const info = some(await api.call.datanetsApi.datanet(datanet));
		const version = info?.versions.toNumber() ?? 0;
		if (version === 0) continue;
		for (const r of await versionRecords(api, datanet, version)) {
			if (r.contributor.toString() !== me) continue;
			const earned = (await api.call.rewardsApi.recordEarnings(datanet, r.index)).toBigInt();
			if (earned > 0n) records.push({ datanet, index: r.index.toNumber(), hash: r.record.toHex(), label: r.label.toNumber(), earned });
		}
	}
	return { claimable, total, payee, records };
}

/** A model's status as { status, accuracy (0..1), weightsHash } or undefined. */
export async function modelStatus(api, model) {
	const info = some(await api.call.modelsApi.model(model));
	if (!info) return undefined;
	const s = info.status;
	if (s.isActive) {
		return { status: 'Active', accuracy: s.asActive.accuracy.toNumber() / 1e9, weightsHash: s.asActive.weightsHash.toHex(), info };
	}
	return { status: s.type, info };
}

/**
 * The quality flags of a trained model, as the attestors agreed them, with each flagged record
 * read from its Datanet: { model, sources, datanet, version, suspects, duplicates }, `datanet`
 * and `version` those of its first source. A suspect is { position, datanet, version, index,
 * hash, contributor, label, removed, payload (bytes, or null once removed) } (most suspect
 * first), `position` as the flags name it and `index` its place in its Datanet's log; a
 * duplicate the same with `of`, the earlier record it nearly repeats. Undefined if the model
 * is not trained.
 */
export async function qualityFlags(api, model) {
	const training = some(await api.call.attributionApi.training(model));
	const info = some(await api.call.modelsApi.model(model));
	if (!training || !info) return undefined;
	const sources = sourcesOf(info);
	// Flagged records of one batch share its indexed bytes: fetched once.
	const fetched = new Map();
	const read = async (position) => {
		const at = locate(sources, position) ?? {};
		const [r] = at.datanet === undefined ? [] : await api.call.datanetsApi.versionRecords(at.datanet, at.version, at.index, 1);
		return {
			position,
			datanet: at.datanet,
			version: at.version,
			index: at.index,
			hash: r?.record.toHex(),
			contributor: r?.contributor.toString(),
			label: r?.label.toNumber(),
			removed: r ? r.removedAt.isSome : undefined,
			payload: r ? (await payloadsOf(api, [r], fetched))[0] : null,
		};
	};
	const { suspects, duplicates } = training.flags;
	return {
		model,
		sources,
		datanet: sources[0].datanet,
		version: sources[0].version,
		suspects: await Promise.all(suspects.map((p) => read(p.toNumber()))),
		duplicates: await Promise.all(duplicates.map(async ([p, of]) => ({ ...(await read(p.toNumber())), of: await read(of.toNumber()) }))),
	};
}

/**
 * The quality flags of every trained model on a Datanet, its records only:
 * [{ model, sources, datanet, version, suspects, duplicates }], `version` the Datanet's version
 * the model trained on.
 */
export async function datanetFlags(api, datanet) {
	const next = (await api.query.models.nextModelId()).toNumber();
	const out = [];
	for (let model = 0; model < next; model++) {
		const info = some(await api.call.modelsApi.model(model));
		const source = info && sourcesOf(info).find((s) => s.datanet === datanet);
		if (!source) continue;
		const flags = await qualityFlags(api, model);
		if (!flags) continue;
		const here = (r) => r.datanet === datanet;
		out.push({ ...flags, datanet, version: source.version, suspects: flags.suspects.filter(here), duplicates: flags.duplicates.filter(here) });
	}
	return out;
}

/**
 * What a completed inference answered, in plain values: `{ label, confidence }` for a
 * classifier, `{ continuation, confidence }` for an ∞-gram model, whose text is null once the
 * chain no longer keeps it (after the retention period), and `{ trace: { tokens, spans } }`
 * for an external model (its output's tokens and the number of its verbatim spans). `answer` is the `Answer` of its
 * `Completed` status, `generation` the runtime API's `Option<Generation>` of it; the confidence
 * (the label's, or the first token's probability) is a fraction of one.
 */
export function inferenceAnswer(answer, generation) {
	if (answer.isClass) return { label: answer.asClass.label.toNumber(), confidence: answer.asClass.confidence.toNumber() / 1e9 };
	if (answer.isTrace) return { trace: { tokens: answer.asTrace.tokens.toNumber(), spans: answer.asTrace.spans.toNumber() } };
	const text = generation?.isSome ? new TextDecoder().decode(generation.unwrap().text.toU8a(true)) : null;
	return { continuation: text, confidence: answer.asContinuation.confidence.toNumber() / 1e9 };
}

/** An asset's holder and sale price: { owner, price } (price in the smallest unit as BigInt, or
 * null when it is not for sale), or undefined if the asset has no item. `kind`: 'datanet',
 * 'model' or 'agent'. */
export async function assetHolding(api, kind, id) {
	const collection = ASSET_COLLECTIONS[kind];
	const item = some(await api.query.nfts.item(collection, id));
	if (!item) return undefined;
	const price = some(await api.query.nfts.itemPriceOf(collection, id));
	return { owner: item.owner.toString(), price: price ? price[0].toBigInt() : null };
}

/** The revenue shares of a model's or an agent's owner share (`kind`: 'model' or 'agent'), or
 * null if no holder set any: { holder, parts: [{ account, part }], inForce, pending }. The split
 * is in force while `holder` holds the asset; `pending` (smallest units, BigInt) is what it has
 * earned and no one has settled yet (`rewards.settleRevenue`). */
export async function revenueShares(api, kind, id) {
	const info = some(await api.call.rewardsApi.revenueShares(ASSET_KINDS[kind], id));
	if (!info) return null;
	return {
		holder: info.shares.holder.toString(),
		parts: info.shares.parts.map(([account, part]) => ({ account: account.toString(), part: part.toNumber() })),
		inForce: info.inForce.isTrue,
		pending: info.pending.toBigInt(),
	};
}

/** Who held an asset before its holder now, oldest first (the chain keeps the last 32): [{ owner,
 * until }], `until` the block in which that holding ended and the next began. */
export async function ownerHistory(api, kind, id) {
	const past = await api.call.assetsApi.ownerHistory(ASSET_KINDS[kind], id);
	return past.map(([owner, until]) => ({ owner: owner.toString(), until: until.toNumber() }));
}
