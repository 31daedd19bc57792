// Scripted adversaries for the end-to-end tests: malicious attestors and users that act only
// through the extrinsics anyone can send (@polkadot/api), so that a test can set them on a real
// chain and assert that the honest result stands and they lose.
//
// - `forgedInfer`: the lie every attacker tells, all the credit to one record;
// - `Racer`: attestors that answer every job of their committees the moment it appears, with a
//   tip, before the honest workers, with a lie or a lie labelled with another engine version;
// - `floodFutureReveals`: reveals for jobs not opened yet, from any account;
// - `Stuffer`: blocks filled with tipped transactions, for as long as it runs;
// - `publishVersions`: a Datanet owner who publishes a version after every record, and
//   registers a model on each, for every attestor to hold.

import { blake2AsU8a } from '@polkadot/util-crypto';
import { u8aConcat, u8aToHex } from '@polkadot/util';

import { describeError } from '@openledger/client';

import { attestation } from './chain.js';

/** An inference outcome that gives all the credit to `record`, with label 0. */
export function forgedInfer(engineVersion, record = 0) {
	return { Infer: { engineVersion, label: 0, confidence: 1_000_000_000, shares: [{ record, share: 1_000_000_000 }] } };
}

/** Sends `tx` signed by `pair` with `nonce` and `tip`; resolves once it is in a block, with its
 * dispatch error's name (or null) and its events, or rejects if the pool refuses it.
 * `onReady`, if given, is called once, when the node's pool first reports it ready to include
 * (or includes it). */
function submit(api, tx, pair, nonce, tip = 0n, onReady = undefined) {
	return new Promise((resolve, reject) => {
		let unsub = () => {};
		let ready = false;
		tx.signAndSend(pair, { nonce, tip }, ({ status, dispatchError, events }) => {
			if (!ready && (status.isReady || status.isBroadcast || status.isInBlock)) {
				ready = true;
				onReady?.();
			}
			if (status.isInvalid || status.isDropped || status.isUsurped) {
				unsub();
				reject(new Error(`transaction ${status.type}`));
			} else if (status.isInBlock || status.isFinalized) {
				unsub();
				let error = null;
				if (dispatchError?.isModule) error = describeError(api, dispatchError);
				else if (dispatchError) error = dispatchError.toString();
				resolve({ error, events: events.map(({ event }) => event) });
			}
		})
			.then((u) => (unsub = u))
			.catch(reject);
	});
}

/** Sends `tx` signed by `pair` with `nonce` and `tip`; resolves once it is in a block, with its
 * dispatch error's name (or null), or rejects if the pool refuses it. */
export function sendWithNonce(api, tx, pair, nonce, tip = 0n, onReady = undefined) {
	return submit(api, tx, pair, nonce, tip, onReady).then(({ error }) => error);
}

/**
 * Malicious attestors that race the honest ones: on every new block, each commits (with a tip)
 * to `outcomeOf(member, job)` for every inference job of its committees, and reveals it as soon
 * as the job's reveal round opens. What each did is in `answered`: job → [{ who, outcome,
 * revealError }].
 */
export class Racer {
	constructor(api, members, { outcomeOf, tip = 1n }) {
		Object.assign(this, { api, members, outcomeOf, tip });
		this.answered = new Map();
		this.revealed = new Set();
		this.nonces = new Map();
		this.pending = [];
		this.errors = [];
	}

	async start() {
		for (const m of this.members) this.nonces.set(m.address, (await this.api.query.system.account(m.address)).nonce.toNumber());
		this.unsub = await this.api.rpc.chain.subscribeNewHeads(async (header) => {
			try {
				const at = await this.api.at(header.hash);
				for (const { event: e } of await at.query.system.events()) {
					if (this.api.events.attribution.JobCreated.is(e) && e.data.kind.isInfer) await this.commit(e.data);
					if (this.api.events.attribution.RevealOpened.is(e)) this.reveal(e.data.job.toNumber());
				}
			} catch (e) {
				this.errors.push(e.message);
			}
		});
	}

	next(pair) {
		const n = this.nonces.get(pair.address);
		this.nonces.set(pair.address, n + 1);
		return n;
	}

	async commit({ job, committee }) {
		const id = job.toNumber();
		// A job seen again (in another fork's block) is answered once.
		if (this.answered.has(id)) return;
		this.answered.set(id, []);
		const members = committee.map((m) => m.toString());
		for (const pair of this.members.filter((m) => members.includes(m.address))) {
			const outcome = this.outcomeOf(pair, id);
			const salt = blake2AsU8a(u8aConcat(pair.publicKey, this.api.createType('u64', id).toU8a()), 256);
			const { commit, reveal } = attestation(this.api, id, pair.address, outcome, salt);
			const entry = { who: pair.address, outcome, reveal, revealError: undefined };
			this.answered.set(id, [...(this.answered.get(id) ?? []), entry]);
			this.pending.push(sendWithNonce(this.api, commit, pair, this.next(pair), this.tip).catch((e) => this.errors.push(`commit ${id}: ${e.message}`)));
		}
	}

	reveal(job) {
		if (this.revealed.has(job)) return;
		this.revealed.add(job);
		for (const entry of this.answered.get(job) ?? []) {
			const pair = this.members.find((m) => m.address === entry.who);
			this.pending.push(
				sendWithNonce(this.api, entry.reveal, pair, this.next(pair), this.tip).then(
					(error) => (entry.revealError = error),
					(e) => (entry.revealError = `refused: ${e.message}`),
				),
			);
		}
	}

	async stop() {
		this.unsub?.();
		await Promise.allSettled(this.pending);
	}
}

/** Sends `count` reveals from `pair` for jobs `next`, `next + 1`, … not opened yet; returns how
 * many the pool admitted and refused, and the account's nonce and free balance before and
 * after. */
export async function floodFutureReveals(api, pair, count) {
	const next = (await api.query.attribution.nextJobId()).toNumber();
	const before = await api.query.system.account(pair.address);
	let nonce = before.nonce.toNumber();
	let admitted = 0;
	let refused = 0;
	const outcome = forgedInfer(1);
	for (let i = 0; i < count; i += 1) {
		const tx = api.tx.attribution.reveal(next + i, new Uint8Array(32).fill(i % 256), outcome);
		try {
			await tx.signAndSend(pair, { nonce, tip: 1n });
			admitted += 1;
			nonce += 1;
		} catch (e) {
			refused += 1;
		}
	}
	const after = await api.query.system.account(pair.address);
	return { admitted, refused, before, after };
}

/**
 * Fills blocks with tipped transactions while it runs: each of `senders` (`{ api, pair }`, one
 * per node, so that every block author has them in its own pool) keeps `inFlight` remarks of
 * `bytes` bytes in its node's pool, each with `tip`, so that every block's share for normal
 * transactions is full. It counts those included (`included`), and those its nodes' pools
 * hold ready and no block has yet included (`pooled`): a test that needs full blocks waits
 * for a backlog of several blocks' worth, so that a slow refill (the test process starved of
 * CPU) leaves no block half empty.
 *
 * `stop()` does not wait for the remarks still in flight: they may never land. A remark that a
 * pool drops (its ready queue holds 20 MiB unless `--pool-kbytes` says more, and its future
 * queue, where a remark gossiped ahead of its sender's previous one waits, a tenth of that;
 * every node receives every sender's remarks: keep senders × `inFlight` × `bytes` below the
 * future queue's size) leaves a gap in its sender's nonces, and the later ones wait as future transactions until
 * their era ends. In one CI run the 127 blocks after the inference held none of them, and the
 * test waited 6 minutes for their statuses.
 */
export class Stuffer {
	constructor(senders, { bytes = 200_000, inFlight = 12, tip = 10n ** 17n } = {}) {
		Object.assign(this, { senders, bytes, inFlight, tip });
		this.running = false;
		this.included = 0;
		this.pooled = 0;
		this.errors = [];
	}

	async start() {
		this.running = true;
		const payload = `0x${'07'.repeat(this.bytes)}`;
		this.loops = this.senders.map(async ({ api, pair }) => {
			// A transaction is signed in place: each send needs its own.
			const call = () => api.tx.system.remark(payload);
			let nonce = (await api.query.system.account(pair.address)).nonce.toNumber();
			const flying = new Set();
			while (this.running) {
				while (flying.size < this.inFlight && this.running) {
					let pooled = false;
					const p = sendWithNonce(api, call(), pair, nonce, this.tip, () => {
						pooled = true;
						this.pooled += 1;
					})
						.then(
							() => (this.included += 1),
							(e) => this.errors.push(e.message),
						)
						.finally(() => {
							if (pooled) this.pooled -= 1;
						});
					nonce += 1;
					flying.add(p);
					p.finally(() => flying.delete(p));
				}
				await Promise.race([...flying, new Promise((r) => setTimeout(r, 500))]);
			}
		});
	}

	async stop() {
		this.running = false;
		await Promise.allSettled(this.loops ?? []);
	}
}

/**
 * The versions flood: `pair`, owner of the open Datanet `datanet`, contributes `records` ([{
 * values, label }]) and publishes a version after each record from the `base`-th on, then
 * registers a model by `spec` on every version. The records go in `contribute_batch`es, the other
 * calls `perBatch` to a `utility.batchAll`,
 * and all the batches to the pool at once, with consecutive nonces, for blocks to take as fast
 * as they can. Returns the versions' numbers and the models' ids, in order.
 */
export async function publishVersions(api, pair, datanet, records, { base, spec, fee, perBatch = 50 }) {
	let nonce = (await api.rpc.system.accountNextIndex(pair.address)).toNumber();
	const sendAll = async (batches) => {
		const sent = batches.map((calls) => submit(api, api.tx.utility.batchAll(calls), pair, nonce++));
		const results = await Promise.all(sent);
		const failed = results.find(({ error }) => error);
		if (failed) throw new Error(`a batch failed: ${failed.error}`);
		return results.flatMap(({ events }) => events);
	};
	// One contribution an extrinsic (its payloads are indexed from the extrinsic's last bytes):
	// every record in `contribute_batch`es first, then the versions, each of the first `n`.
	const most = api.consts.datanets.maxContributionBatch.toNumber();
	const flood = [];
	for (let i = 0; i < records.length; i += most) {
		const rows = records.slice(i, i + most).map(({ values, label }) => [u8aToHex(values), label]);
		flood.push([api.tx.datanets.contributeBatch(datanet, rows)]);
	}
	for (let from = base; from <= records.length; from += perBatch) {
		const calls = [];
		for (let n = from; n < from + perBatch && n <= records.length; n += 1) {
			calls.push(api.tx.datanets.publishVersion(datanet, n));
		}
		flood.push(calls);
	}
	const versions = (await sendAll(flood)).filter((e) => api.events.datanets.VersionPublished.is(e)).map((e) => e.data.version.toNumber());
	const registers = [];
	for (let i = 0; i < versions.length; i += perBatch) {
		registers.push(versions.slice(i, i + perBatch).map((v) => api.tx.models.register(datanet, v, spec, fee, '')));
	}
	const models = (await sendAll(registers)).filter((e) => api.events.models.ModelRegistered.is(e)).map((e) => e.data.model.toNumber());
	return { versions, models };
}
