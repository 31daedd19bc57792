// Helpers of the end-to-end tests beyond the client library's (@openledger/client).

import { hexToU8a, u8aConcat } from '@polkadot/util';
import { blake2AsHex, blake2AsU8a, signatureVerify } from '@polkadot/util-crypto';

import { answerPayload, sendAndWait } from '@openledger/client';

export { describeError, freeBalance, sendAndWait, waitForFinalized } from '@openledger/client';

/** The commit and the reveal of `outcome` (an `Outcome`: `{ Train: … }` or `{ Infer: … }`) for
 * `job` by `who`, with `salt`: `commitment = blake2_256(SCALE(job, who, salt, outcome))`. */
export function attestation(api, job, who, outcome, salt = new Uint8Array(32).fill(7)) {
	const reveal = api.tx.attribution.reveal(job, salt, outcome);
	const encoded = u8aConcat(api.createType('u64', job).toU8a(), api.createType('AccountId32', who).toU8a(), salt, reveal.args[2].toU8a());
	const commit = api.tx.attribution.commit(job, blake2AsU8a(encoded, 256));
	return { commit, reveal };
}

/** One OPEN in its smallest units (18 decimals). */
export const OPEN = 10n ** 18n;

/** Sends `tx` from `who` with `sendAndWait`'s `options` (until, timeoutMs), and throws, naming
 * the call and its error, if it fails; resolves with `sendAndWait`'s result. */
export async function ok(api, tx, who, options) {
	const r = await sendAndWait(api, tx, who, options);
	if (r.dispatchError) throw new Error(`${tx.method.section}.${tx.method.method}: ${r.dispatchError}`);
	return r;
}

/** The first event `pallet.name` among `events` (a block's event records), or undefined. */
export function findEvent(api, events, pallet, name) {
	return events.find(({ event: e }) => api.events[pallet][name].is(e))?.event;
}

/** Resolves with the first value `check()` gives that is not undefined, polling every second;
 * rejects, naming `what`, after `timeoutMs`. */
export async function until(check, timeoutMs = 120_000, what = 'the condition') {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const v = await check();
		if (v !== undefined) return v;
		if (Date.now() > deadline) throw new Error(`${what}: not reached in ${timeoutMs / 1000} s`);
		await new Promise((r) => setTimeout(r, 1_000));
	}
}

/** A node's attribution engine metrics from its Prometheus endpoint `url`: { name: value } of
 * the `openledger_attribution_*` samples, the node's `chain` label dropped and any other label
 * kept in the name (`openledger_attribution_engine_calls_total{call="infer",result="ok"}`). */
export async function engineMetrics(url) {
	const text = await (await fetch(url)).text();
	const m = {};
	for (const line of text.split('\n')) {
		const hit = /^(openledger_attribution_[a-z_]+)(?:\{([^}]*)\})? ([0-9.e+-]+)$/.exec(line);
		if (!hit) continue;
		const labels = (hit[2] ?? '').split(',').filter((l) => l && !l.startsWith('chain='));
		m[hit[1] + (labels.length ? `{${labels.join(',')}}` : '')] = Number(hit[3]);
	}
	return m;
}

/**
 * The fast answer, checked against the chain: sends `signed` (a signed `agents.invoke`) to
 * `node`'s `attribution_answer`, checks the answer's hash and its attestor's signature, then
 * waits until the inference it opened is decided and the attestor's reveal for its job is seen.
 * Resolves with `{ answer, outcome, inference, info, revealed }`: `outcome` the answer decoded
 * as the `reveal` call's argument, `info` the runtime API's inference, `revealed` the hash the
 * attestor revealed.
 */
export async function answeredThenRevealed(node, api, signed, timeoutMs = 180_000) {
	const caller = signed.signer.toString();
	const seen = [];
	const unsubscribe = await api.query.system.events((events) => seen.push(...events.map(({ event }) => event)));
	try {
		const answer = await node.rpc('attribution_answer', [signed.toHex()]);
		if (answer.extrinsic !== signed.hash.toHex()) throw new Error(`the answer names ${answer.extrinsic}, not ${signed.hash.toHex()}`);
		if (blake2AsHex(hexToU8a(answer.outcome)) !== answer.outcomeHash) throw new Error('the outcome hash is not that of the outcome');
		if (!signatureVerify(answerPayload(answer.extrinsic, answer.outcomeHash), answer.signature, answer.attestor).isValid) throw new Error('the answer is not signed by its attestor');
		const outcomeType = api.tx.attribution.reveal.meta.args.find((x) => x.name.toString() === 'outcome').type.toString();
		const outcome = api.createType(outcomeType, answer.outcome);
		const requested = await until(() => seen.find((e) => e.section === 'agents' && e.method === 'InferenceRequested' && e.data.caller.toString() === caller), timeoutMs, 'the invoke included');
		const inference = requested.data.inference.toNumber();
		const info = await until(async () => {
			const i = (await api.call.attributionApi.inference(inference)).unwrap();
			return i.status.isCompleted ? i : undefined;
		}, timeoutMs, `inference ${inference} decided`);
		const created = seen.find((e) => e.section === 'attribution' && e.method === 'JobCreated' && e.data.kind.isInfer && e.data.kind.asInfer.inference.toNumber() === inference);
		const job = created.data.job.toNumber();
		const revealed = await until(
			() => seen.find((e) => e.section === 'attribution' && e.method === 'Revealed' && e.data.job.toNumber() === job && e.data.attestor.toString() === answer.attestor)?.data.outcome.toHex(),
			timeoutMs,
			`the reveal of job ${job}`,
		);
		return { answer, outcome, inference, info, revealed };
	} finally {
		unsubscribe();
	}
}
