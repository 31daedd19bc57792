// The metadata hash (RFC-0078) that `CheckMetadataHash` checks: what Ledger's generic app and
// Polkadot Vault sign against, instead of the whole metadata.

import { merkleizeMetadata } from '@polkadot-api/merkleize-metadata';
import { u8aToHex } from '@polkadot/util';

import { DECIMALS } from './units.js';

/** The token the runtime's build committed to (runtime/build.rs). */
export const TOKEN_SYMBOL = 'OPEN';

/**
 * The metadata hash of the chain `api` is connected to, as hex: the merkleized root of its V15
 * metadata, with its spec name and version, SS58 prefix, and the token OPEN with 18 decimals.
 * A transaction signed with `{ mode: 1, metadataHash }` is valid only if this equals the hash
 * the runtime was built with.
 */
export async function metadataHash(api, { tokenSymbol = TOKEN_SYMBOL, decimals = DECIMALS } = {}) {
	const opaque = await api.call.metadata.metadataAtVersion(15);
	if (opaque.isNone) throw new Error('the runtime does not offer metadata V15');
	return u8aToHex(merkleizeMetadata(opaque.unwrap().toU8a(true), { tokenSymbol, decimals }).digest());
}
