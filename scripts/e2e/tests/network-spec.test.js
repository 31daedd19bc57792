// A network with keys of its own: `scripts/network-spec.sh init` makes three validators' keys,
// the operator's file and the raw chain spec (`--chain mainnet-candidate:<file>`); `start` runs
// the three nodes from their filled keystores. They produce and finalise blocks, with the
// generated accounts as the validators and attestors, no dev key anywhere, no sudo key, and the
// production pace.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import { connect } from '@openledger/client';

import { until } from '../lib/chain.js';
import { freePorts, nodeBinary, repoRoot } from '../lib/node.js';

const run = promisify(execFile);
const VALIDATORS = 3;

describe('scripts/network-spec.sh: a network of three validators with keys of their own', () => {
	let dir;
	let net;
	let api;
	const script = (...args) =>
		run('bash', [path.join(repoRoot, 'scripts', 'network-spec.sh'), ...args], {
			env: { ...process.env, OPENLEDGER_NODE: nodeBinary() },
			maxBuffer: 1 << 22,
		});

	before(async () => {
		await cryptoWaitReady();
		dir = mkdtempSync(path.join(os.tmpdir(), 'openledger-network-spec-'));
		net = path.join(dir, 'net');
		const [p2p, rpc, prom] = [await freePorts(VALIDATORS), await freePorts(VALIDATORS), await freePorts(VALIDATORS)];
		await script('init', net, '--validators', String(VALIDATORS), '--p2p-port', String(p2p));
		await script('start', net, '--rpc-port', String(rpc), '--prom-port', String(prom));
		api = await connect(`ws://127.0.0.1:${rpc}`);
	});

	after(async () => {
		await api?.disconnect().catch(() => {});
		if (net) await script('stop', net).catch(() => {});
		const logDir = process.env.E2E_LOG_DIR || path.join(os.tmpdir(), 'openledger-e2e');
		mkdirSync(logDir, { recursive: true });
		for (let i = 0; i < VALIDATORS; i++) {
			const log = path.join(net, `node-${i}.log`);
			if (existsSync(log)) copyFileSync(log, path.join(logDir, `network-spec-${i}.log`));
		}
		if (dir) rmSync(dir, { recursive: true, force: true });
	});

	test('the operator file and the spec hold the generated keys, and no dev key', () => {
		const file = JSON.parse(readFileSync(path.join(net, 'network.json'), 'utf8'));
		assert.equal(file.validators.length, VALIDATORS);
		const keyring = new Keyring({ type: 'sr25519' });
		const dev = ['Alice', 'Bob', 'Charlie', 'Dave', 'Eve', 'Ferdie'].map((n) => keyring.addFromUri(`//${n}`).address);
		for (const address of dev) assert.ok(!JSON.stringify(file).includes(address), `${address} is a dev account`);
		// The raw genesis state holds public keys (hex, without 0x), never a dev key's, but in the
		// runtime's code (`:code`), whose presets name them.
		const { top } = JSON.parse(readFileSync(path.join(net, 'spec.json'), 'utf8')).genesis.raw;
		const state = Object.entries(top)
			.filter(([key]) => key !== '0x3a636f6465')
			.map(([key, value]) => key + value)
			.join('');
		for (const n of ['Alice', 'Bob', 'Charlie', 'Dave']) {
			const hex = Buffer.from(keyring.addFromUri(`//${n}`).publicKey).toString('hex');
			assert.ok(!state.includes(hex), `${n}'s key is in the genesis state`);
		}
		const [stash] = file.validators;
		assert.ok(state.includes(Buffer.from(keyring.decodeAddress(stash.account)).toString('hex')), 'a generated account is');
		assert.equal(statSync(path.join(net, 'secrets', 'validator-0')).mode & 0o077, 0, 'secrets are private');
	});

	test('the three nodes produce and finalise blocks, as the validators and attestors of the file, with no sudo', async () => {
		const file = JSON.parse(readFileSync(path.join(net, 'network.json'), 'utf8'));
		const start = await until(async () => {
			const fin = (await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber();
			return fin >= 2 ? fin : undefined;
		}, 240_000, 'two finalised blocks');
		assert.ok(start >= 2);
		const validators = (await api.query.session.validators()).map((v) => v.toString()).sort();
		assert.deepEqual(validators, file.validators.map((v) => api.createType('AccountId32', v.account).toString()).sort());
		const attestors = (await api.call.attributionApi.attestors()).map((a) => a.toString()).sort();
		assert.deepEqual(attestors, file.attestors.map((a) => api.createType('AccountId32', a).toString()).sort());
		assert.ok((await api.query.sudo.key()).isNone, 'no sudo key');
		assert.equal((await api.query.origins.governancePace()).toString(), 'Production');
		// Every validator authors: each of the three is the author of some recent block.
		const authors = new Set();
		await until(async () => {
			const head = (await api.rpc.chain.getHeader()).number.toNumber();
			for (let n = Math.max(1, head - 8); n <= head; n++) {
				authors.add((await api.derive.chain.getHeader(await api.rpc.chain.getBlockHash(n))).author?.toString());
			}
			return validators.every((v) => authors.has(v)) ? true : undefined;
		}, 240_000, 'a block by each validator');
	});
});
