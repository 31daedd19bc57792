// Records' payloads as the chain keeps them. A contribution indexes its payloads in the
// transaction index: nodes keep those bytes with the block body and serve them under their CID
// (over bitswap with --ipfs-server, and by `bitswap_v1_get` over JSON-RPC). The state keeps
// only where each record's payload is ({ content, offset, len }). Records contributed before
// payloads left the state keep them there until someone moves them (`datanets.movePayloads`).

import { hexToU8a } from '@polkadot/util';
import { recordHash } from './records.js';

/** Why a record's payload cannot be read. */
export class PayloadError extends Error {}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** RFC 4648 base32, lower case, without padding: the multibase 'b' that IPFS writes CIDv1s in. */
function base32(bytes) {
	let out = '';
	let bits = 0;
	let value = 0;
	for (const byte of bytes) {
		value = (value << 8) | byte;
		bits += 8;
		while (bits >= 5) {
			out += BASE32[(value >>> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
	return out;
}

/** The CIDv1 (raw codec, blake2b-256 multihash) of indexed bytes whose blake2b-256 hash is
 * `content` (hex or bytes), as IPFS writes it: multibase base32, 'b' then the letters. */
export function cidOf(content) {
	const digest = typeof content === 'string' ? hexToU8a(content) : content;
	if (digest.length !== 32) throw new PayloadError(`a content hash is 32 bytes, not ${digest.length}`);
	// Version 1, raw (0x55), blake2b-256 (0xb220 as a varint: a0 e4 02), 32 bytes.
	return `b${base32(Uint8Array.from([0x01, 0x55, 0xa0, 0xe4, 0x02, 0x20, ...digest]))}`;
}

/** The bytes a node keeps under `content` (hex), by `bitswap_v1_get`. */
export async function indexedBytes(api, content) {
	try {
		return (await api.rpc.bitswap.v1_get(cidOf(content))).toU8a(true);
	} catch (e) {
		throw new PayloadError(`the node does not serve ${cidOf(content)}: ${e.message}`);
	}
}

/** The bytes of `payload` (an API `Option<Payload>`) of the record `hash` (hex) with `label`:
 * from state, or cut from the indexed bytes it names (fetched once per content: `fetched` maps
 * each content to its fetch), which must hash to the record. null once removed. */
async function read(api, payload, hash, label, fetched) {
	if (payload.isNone) return null;
	const where = payload.unwrap();
	if (where.isState) return where.asState.toU8a(true);
	const at = where.asIndexed;
	const content = at.content.toHex();
	// The fetch itself is kept, so that reads running at once share it too.
	if (!fetched.has(content)) fetched.set(content, indexedBytes(api, content));
	const [offset, len] = [at.offset.toNumber(), at.len.toNumber()];
	const cut = (await fetched.get(content)).subarray(offset, offset + len);
	if (cut.length !== len || recordHash(cut, label) !== hash) {
		throw new PayloadError(`the bytes served under ${cidOf(content)} are not record ${hash}'s payload`);
	}
	return Uint8Array.from(cut);
}

/**
 * The payloads of `records` (the runtime API's `VersionRecord`s), in order, as bytes: from
 * state, or from the transaction index of the node `api` is connected to, each checked against
 * its record's hash (a PayloadError if it does not match or the node lacks it). null for a
 * removed record. Each content is fetched once, and kept in `fetched` (a Map), which callers
 * that read records one by one pass to every call.
 */
export async function payloadsOf(api, records, fetched = new Map()) {
	const out = [];
	for (const r of records) out.push(await read(api, r.payload, r.record.toHex(), r.label.toNumber(), fetched));
	return out;
}

/** The payload of the record `hash` (hex) of `datanet`, as bytes, checked likewise (sharing
 * `fetched` as `payloadsOf` does); null once removed; undefined if there is no such record. */
export async function recordPayload(api, datanet, hash, fetched = new Map()) {
	const info = await api.call.datanetsApi.record(datanet, hash);
	if (info.isNone) return undefined;
	const { payload, label } = info.unwrap();
	return read(api, payload, hash, label.toNumber(), fetched);
}
