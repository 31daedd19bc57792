// Bad input at the RPC, sent as raw HTTP to a real dev node: malformed JSON, wrong parameter
// types, an oversized request, malformed SCALE arguments to every custom runtime API, and unknown
// ids to every custom RPC method and runtime API. Each gets a JSON-RPC error (or, for an unknown
// id, the runtime API's `None`), and the node stays up and answers the next request.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { cryptoWaitReady } from '@polkadot/util-crypto';

import { startNode } from '../lib/node.js';

/** Every custom runtime API method, with a well-formed argument list naming nothing that
 * exists (SCALE, hex) where it takes an id. */
const RUNTIME_APIS = {
	DatanetsApi_datanet: '0xe7030000',
	DatanetsApi_record: `0xe7030000${'11'.repeat(32)}`,
	DatanetsApi_version: '0xe7030000e7030000',
	DatanetsApi_version_records: '0xe7030000e703000000000000ffffffff',
	ModelsApi_model: '0xe7030000',
	AgentsApi_agent: '0xe7030000',
	AttributionApi_inference: '0xe703000000000000',
	AttributionApi_training: '0xe7030000',
	AttributionApi_attestors: '0x',
	RewardsApi_claimable: `0x${'22'.repeat(32)}`,
	RewardsApi_record_earnings: '0xe7030000e7030000',
	RewardsApi_contributor_earnings: `0x${'22'.repeat(32)}`,
	RewardsApi_reward_split: '0x',
};

describe('bad input at the RPC', () => {
	let node;

	/** POSTs `body` (a string or a Buffer) to the node's RPC port as JSON; resolves with the
	 * HTTP status and the parsed answer (undefined when it is not JSON). */
	const post = async (body) => {
		const res = await fetch(`http://127.0.0.1:${node.rpcPort}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
		const text = await res.text();
		let json;
		try {
			json = JSON.parse(text);
		} catch {
			json = undefined;
		}
		return { status: res.status, json };
	};
	const call = (method, params) => post(JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }));
	const stillUp = async () => {
		const health = await node.rpc('system_health');
		assert.equal(typeof health.peers, 'number', 'the node answers the next request');
	};

	before(async () => {
		await cryptoWaitReady();
		node = await startNode({ args: ['--dev', '--sealing', 'manual'], name: 'rpc-input' });
	});

	after(async () => {
		if (node) await node.stop();
	});

	test('malformed JSON gets a parse error', async () => {
		for (const body of ['{"jsonrpc":"2.0","id":1,"method":', 'not json', '[', '\u0000\u0001\u0002', '{"jsonrpc":"2.0","id":1,"method":"attribution_preview","params":[0,"0x00"'])
		{
			const { json } = await post(body);
			assert.equal(json?.error?.code, -32700, `${JSON.stringify(body)}: ${JSON.stringify(json)}`);
			await stillUp();
		}
		// Valid JSON that is not a request.
		const { json } = await post('{"hello":1}');
		assert.ok(json?.error, `an error for a non-request: ${JSON.stringify(json)}`);
		await stillUp();
	});

	test('wrong parameter types get an invalid-params error', async () => {
		const cases = [
			['attribution_preview', ['zero', '0x00']],
			['attribution_preview', [0, 12]],
			['attribution_preview', [-1, '0x00']],
			['attribution_preview', [2 ** 40, '0x00']],
			['attribution_preview', [0, '0xzz']],
			['attribution_preview', [0, '0x00', 'not a hash']],
			['attribution_preview', { model: 0 }],
			['state_call', ['ModelsApi_model', 42]],
			['state_call', [7, '0x00']],
		];
		for (const [method, params] of cases) {
			const { json } = await call(method, params);
			assert.equal(json?.error?.code, -32602, `${method} ${JSON.stringify(params)}: ${JSON.stringify(json)}`);
		}
		await stillUp();
	});

	test('an oversized request is refused', async () => {
		// Above the node's default limit on a request (--rpc-max-request-size, 15 MiB).
		// The node answers 413 once it has read past the limit and closes the connection, so the
		// client may still be sending when the socket closes: then it sees the connection reset
		// instead of the answer (a race of HTTP itself, seen once in CI). Either is a refusal;
		// what must hold is that the node answers the next request.
		const input = `0x${'ab'.repeat(16 * 2 ** 20)}`;
		let answer;
		try {
			answer = await call('attribution_preview', [0, input]);
		} catch (e) {
			const code = e.cause?.code;
			assert.ok(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET'].includes(code), `fetch failed: ${e.cause ?? e}`);
		}
		if (answer) {
			assert.equal(answer.status, 413);
			assert.equal(answer.json?.error?.code, -32007, JSON.stringify(answer.json)?.slice(0, 200));
		}
		await stillUp();
		// Under the limit, a 1 MiB input is read and answered like any other (here: no model).
		const big = await call('attribution_preview', [0, `0x${'ab'.repeat(2 ** 20)}`]);
		assert.equal(big.json?.error?.code, 7001, JSON.stringify(big.json)?.slice(0, 200));
		await stillUp();
	});

	test('unknown ids get a named error from attribution_preview, and None from every runtime API', async () => {
		const preview = await call('attribution_preview', [999, '0x00']);
		assert.equal(preview.json?.error?.code, 7001, JSON.stringify(preview.json));
		assert.match(preview.json.error.message, /model 999 does not exist/);
		for (const [method, args] of Object.entries(RUNTIME_APIS)) {
			const { json } = await call('state_call', [method, args]);
			assert.ok(json && 'result' in json, `${method}: ${JSON.stringify(json)}`);
			if (args === '0x') continue; // no id: attestors, reward_split
			// `None`, an empty list, or a zero balance: all start with a zero byte in SCALE.
			assert.match(json.result, /^0x00/, `${method} answers nothing for an unknown id: ${json.result}`);
		}
		await stillUp();
	});

	test('malformed SCALE arguments to every runtime API get an error', async () => {
		for (const [method, args] of Object.entries(RUNTIME_APIS)) {
			if (args === '0x') continue;
			// Cut short by one byte: the argument does not decode.
			const { json } = await call('state_call', [method, args.slice(0, -2)]);
			assert.ok(json?.error, `${method} with a short argument: ${JSON.stringify(json)}`);
		}
		const unknown = await call('state_call', ['DatanetsApi_no_such_method', '0x']);
		assert.ok(unknown.json?.error, JSON.stringify(unknown.json));
		await stillUp();
	});
});
