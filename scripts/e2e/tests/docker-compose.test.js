// docker/docker-compose.yml, checked without Docker (no Docker engine runs on the build
// machines): each service's own command line is run with the built node, as the image's
// entrypoint would run it, with only what a container gives changed: its /data volume becomes a
// temporary directory, the `alice` host name becomes 127.0.0.1 and Alice's p2p port, and each
// node gets free ports of its own. Every authority must start (a validator of a non-dev chain
// without a node key stops with NetworkKeyNotFound), find Alice through the peer id its
// bootnode address names, and finalise blocks with the others.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { cryptoWaitReady } from '@polkadot/util-crypto';

import { freePort, repoRoot, startNode } from '../lib/node.js';

/** The services of the compose file and their `command` lists (this file's plain YAML subset:
 * two-space indentation, one `- item` per line). */
function services(text) {
	const out = {};
	let section;
	let service;
	let inCommand = false;
	for (const line of text.split('\n')) {
		if (/^\S/.test(line)) {
			section = line.replace(/:.*$/, '');
			service = undefined;
			continue;
		}
		if (section !== 'services') continue;
		const name = /^ {2}([a-z]+):\s*$/.exec(line);
		if (name) {
			service = name[1];
			out[service] = [];
			inCommand = false;
			continue;
		}
		if (/^ {4}command:\s*$/.test(line)) {
			inCommand = true;
			continue;
		}
		const item = /^ {6}- (.+)$/.exec(line);
		if (inCommand && item) out[service].push(item[1].trim());
		else if (/^ {4}\S/.test(line)) inCommand = false;
	}
	return out;
}

describe('docker-compose.yml: the four validators start from their own command lines', () => {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'openledger-compose-'));
	const nodes = [];
	const compose = services(readFileSync(path.join(repoRoot, 'docker', 'docker-compose.yml'), 'utf8'));

	before(async () => {
		await cryptoWaitReady();
	});

	after(async () => {
		for (const n of nodes) await n.stop().catch(() => {});
		rmSync(dir, { recursive: true, force: true });
	});

	test('every authority has its own node key', async () => {
		assert.deepEqual(Object.keys(compose), ['alice', 'bob', 'charlie', 'dave']);
		const keys = Object.values(compose).map((args) => args.find((a) => a.startsWith('--node-key=')));
		assert.ok(keys.every(Boolean), 'a --node-key for each');
		assert.equal(new Set(keys).size, 4, 'four different keys');
	});

	test('each starts, and the four peer and finalise blocks', async () => {
		// All four at once, as compose starts them; Alice's p2p port is chosen first, for the
		// others' bootnode address.
		const alicePorts = { rpcPort: await freePort(), p2pPort: await freePort(), promPort: await freePort() };
		const started = Object.entries(compose).map(async ([name, args]) => {
			const mapped = args
				// The container's volume and its network's host name.
				.map((a) => a.replace('--base-path=/data', `--base-path=${path.join(dir, name)}`))
				.map((a) => a.replace(/^--bootnodes=\/dns\/alice\/tcp\/30333\//, () => `--bootnodes=/ip4/127.0.0.1/tcp/${alicePorts.p2pPort}/`))
				// Ports: the harness gives each node its own (one host, not four containers).
				.filter((a) => !['--rpc-external', '--prometheus-external'].includes(a) && !a.startsWith('--rpc-cors'));
			const basePath = path.join(dir, name);
			const node = await startNode({
				args: mapped.filter((a) => !a.startsWith('--base-path')),
				name: `compose-${name}`,
				basePath,
				ports: name === 'alice' ? alicePorts : undefined,
			});
			nodes.push(node);
			return node;
		});
		const [alice] = await Promise.all(started);
		const deadline = Date.now() + 180_000;
		for (;;) {
			const peers = (await alice.api.rpc.system.health()).peers.toNumber();
			const fin = (await alice.api.rpc.chain.getHeader(await alice.api.rpc.chain.getFinalizedHead())).number.toNumber();
			if (peers === 3 && fin >= 2) break;
			assert.ok(Date.now() < deadline, `Alice has ${peers} peers, finalised #${fin}`);
			await new Promise((r) => setTimeout(r, 1_000));
		}
	});
});
