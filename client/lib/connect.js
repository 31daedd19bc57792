// A connection to a node, with the chain's definitions.

import { ApiPromise, WsProvider } from '@polkadot/api';

import { apiOptions } from './definitions.js';

/** The node a client talks to unless told otherwise: a dev node's default RPC port. */
export const DEFAULT_URL = 'ws://127.0.0.1:9944';

/**
 * Connects to the node at `url` (ws:// or wss://) and resolves with an `ApiPromise` that knows
 * the chain's RPC and types. Rejects if the first connection fails, instead of waiting for the
 * node forever; a connection lost later is retried. `options` go to `ApiPromise.create`.
 */
export async function connect(url = DEFAULT_URL, options = {}) {
	const provider = new WsProvider(url);
	try {
		return await ApiPromise.create({ provider, noInitWarn: true, throwOnConnect: true, ...apiOptions, ...options });
	} catch (e) {
		await provider.disconnect().catch(() => {});
		throw new Error(`cannot connect to ${url}: ${e.message}`);
	}
}
