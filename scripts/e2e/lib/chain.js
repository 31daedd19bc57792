// Helpers of the end-to-end tests beyond the client library's (@openledger/client).

import { u8aConcat } from '@polkadot/util';
import { blake2AsU8a } from '@polkadot/util-crypto';

export { describeError, freeBalance, sendAndWait, waitForFinalized } from '@openledger/client';

/** The commit and the reveal of `outcome` (an `Outcome`: `{ Train: … }` or `{ Infer: … }`) for
 * `job` by `who`, with `salt`: `commitment = blake2_256(SCALE(job, who, salt, outcome))`. */
export function attestation(api, job, who, outcome, salt = new Uint8Array(32).fill(7)) {
	const reveal = api.tx.attribution.reveal(job, salt, outcome);
	const encoded = u8aConcat(api.createType('u64', job).toU8a(), api.createType('AccountId32', who).toU8a(), salt, reveal.args[2].toU8a());
	const commit = api.tx.attribution.commit(job, blake2AsU8a(encoded, 256));
	return { commit, reveal };
}
