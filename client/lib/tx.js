// Transactions and their outcome: send, wait for inclusion or finality, and name errors.

/** Resolves with the first value of `fn(header)` that is not undefined, from new finalised heads. */
export function waitForFinalized(api, predicate, timeoutMs = 120_000) {
	return new Promise((resolve, reject) => {
		let unsub = () => {};
		const timer = setTimeout(() => {
			unsub();
			reject(new Error(`no finalised head matched in ${timeoutMs} ms`));
		}, timeoutMs);
		api.rpc.chain
			.subscribeFinalizedHeads((header) => {
				if (predicate(header)) {
					clearTimeout(timer);
					unsub();
					resolve(header);
				}
			})
			.then((u) => {
				unsub = u;
			}, reject);
	});
}

/**
 * Signs and sends `tx` from `signer`, and resolves once its block is finalised (or, with
 * `{ until: 'inBlock' }`, included) with { blockHash, events, dispatchError, fee }.
 * The nonce is the signer's nonce in the best block's state: the pool's own count
 * (`system_accountNextIndex`) can still include a transaction that was just included in a
 * block, and a nonce one too high would wait in the pool forever. So one signer sends one
 * transaction at a time here.
 * `signer` is a key pair, or { address, signer } with the `signer` of a browser extension
 * (@polkadot/extension-dapp). `sign` adds signing options, e.g. { mode: 1, metadataHash } for
 * `CheckMetadataHash`.
 * `dispatchError` is a readable name like 'balances.InsufficientBalance' or
 * 'token.FundsUnavailable', or null on success. `fee` is the actual fee paid (TransactionFeePaid).
 */
export async function sendAndWait(api, tx, signer, { until = 'finalized', timeoutMs = 120_000, sign = {} } = {}) {
	const { nonce } = await api.query.system.account(signer.address);
	// A key pair signs itself; a browser extension's account comes as { address, signer }.
	const [account, options] = signer.signer ? [signer.address, { signer: signer.signer }] : [signer, {}];
	return new Promise((resolve, reject) => {
		let unsub = () => {};
		let poll = null;
		let settled = false;
		const finish = (f) => {
			if (settled) return;
			settled = true;
			clearTimeout(timer);
			if (poll) clearInterval(poll);
			unsub();
			f();
		};
		const timer = setTimeout(() => finish(() => reject(new Error(`transaction not ${until} in ${timeoutMs} ms`))), timeoutMs);
		const done = (blockHash, events, dispatchError) => {
			const feeEvent = events.find(({ event }) => api.events.transactionPayment.TransactionFeePaid.is(event));
			finish(() =>
				resolve({
					blockHash,
					events,
					dispatchError: dispatchError ? describeError(api, dispatchError) : null,
					fee: feeEvent ? feeEvent.event.data.actualFee.toBigInt() + feeEvent.event.data.tip.toBigInt() : null,
				}),
			);
		};
		tx.signAndSend(account, { nonce, ...options, ...sign }, (result) => {
			const { status, events, dispatchError, internalError } = result;
			// @polkadot/api reports a failure to decode the block's events here, and an empty
			// event list: fail with the real error rather than a confusing one later.
			if (internalError) {
				finish(() => reject(new Error(`transaction result could not be decoded: ${internalError.message}`)));
				return;
			}
			if (status.isInvalid || status.isDropped || status.isUsurped) {
				finish(() => reject(new Error(`transaction ${status.type}`)));
				return;
			}
			// A block that is finalised at once (dev sealing) may skip the InBlock status.
			if (status.isFinalized || (until === 'inBlock' && status.isInBlock)) {
				done(status.isFinalized ? status.asFinalized : status.asInBlock, events, dispatchError);
				return;
			}
			// The pool's Finalized notice can be missed when a block is sealed and finalised at
			// once: once in a block, also watch the chain's finalised head.
			if (status.isInBlock && !poll) {
				const blockHash = status.asInBlock;
				poll = setInterval(async () => {
					try {
						const header = await api.rpc.chain.getHeader(blockHash);
						const finalized = await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead());
						if (finalized.number.toNumber() < header.number.toNumber()) return;
						const canonical = await api.rpc.chain.getBlockHash(header.number.toNumber());
						if (canonical.eq(blockHash)) done(blockHash, events, dispatchError);
					} catch (e) {
						// The next tick tries again.
					}
				}, 500);
			}
		})
			.then((u) => {
				unsub = u;
				if (settled) u();
			})
			.catch((e) => finish(() => reject(e)));
	});
}

/**
 * 'pallet.Error' for a module error, and 'pallet.Error(Reason)' where the error nests another
 * (`datanets.InvalidRecord(PayloadTooLong)`); 'token.Reason' / 'arithmetic.Reason' otherwise.
 */
export function describeError(api, dispatchError) {
	if (dispatchError.isModule) {
		const module = dispatchError.asModule;
		const { section, name, fields } = api.registry.findMetaError(module);
		if (!fields?.length) return `${section}.${name}`;
		// A nested error is encoded after the variant's index, in the module error's 4 bytes.
		const nested = api.registry.createType(api.registry.createLookupType(fields[0].type), module.error.toU8a().subarray(1));
		return `${section}.${name}(${nested.toString()})`;
	}
	if (dispatchError.isToken) return `token.${dispatchError.asToken.type}`;
	if (dispatchError.isArithmetic) return `arithmetic.${dispatchError.asArithmetic.type}`;
	return dispatchError.type;
}

/** The free balance of `address` as a BigInt, at `blockHash` or at the best block. */
export async function freeBalance(api, address, blockHash) {
	const at = blockHash ? await api.at(blockHash) : api;
	const { data } = await at.query.system.account(address);
	return data.free.toBigInt();
}
