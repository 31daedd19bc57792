// The validator set changes on a running network: the four validators of `--chain local`
// (scripts/network.sh, 3-second slots, sessions of 6 blocks) and a fifth node, Eve's, started
// from the network's chain spec.
// 1. Eve's node syncs; it generates session keys (`author_rotateKeysWithOwner`); Ferdie, Eve's
//    staking proxy (her stash key stays cold), sets them and bonds her candidacy; within two
//    sessions Eve's node authors blocks and casts GRANDPA precommits (its Prometheus counter).
// 2. Meanwhile Alice rotates her keys on her running node: her new Aura key takes over at the
//    same boundary.
// 3. Eve leaves (`leaveIntent`): after the boundary she authors nothing, and finality goes on.
// 4. Eve bonds again and her node stops: after two sessions without a block she is removed from
//    the set, her bond returned, and finality went on throughout with four of five voting.
// The test prints the blocks from `setKeys` to Eve's first block and finality's longest pause
// (the largest gap between the best and the finalised block it saw).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { Keyring } from '@polkadot/keyring';
import { hexToU8a } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import { FAST_SLOTS, startNetwork } from '../lib/network.js';
import { ok as okWith, until as untilWith } from '../lib/chain.js';
import { rpcCall, startNode } from '../lib/node.js';

const SESSION = 6;

/** `until` with the patience of five nodes on two cores. */
const until = (check, what, timeoutMs = 240_000) => untilWith(check, timeoutMs, what);

describe('validators join, rotate keys, leave and are removed on a running network', () => {
	let network;
	let api;
	let eve;
	let eveBase;
	let k;
	let watch;
	let longestLag = 0;

	before(async () => {
		await cryptoWaitReady();
		network = await startNetwork({ args: FAST_SLOTS.args, name: 'validators', slotMs: FAST_SLOTS.slotMs, sessionBlocks: SESSION });
		api = network.apis[0];
		const keyring = new Keyring({ type: 'sr25519' });
		k = Object.fromEntries(['Alice', 'Eve', 'Ferdie'].map((n) => [n, keyring.addFromUri(`//${n}`)]));
		// Finality's lag behind the best block, sampled every second for the whole test.
		watch = setInterval(async () => {
			try {
				const best = (await api.rpc.chain.getHeader()).number.toNumber();
				const fin = (await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber();
				longestLag = Math.max(longestLag, best - fin);
			} catch {
				// between tests, the api may be reconnecting
			}
		}, 1_000);
	});

	after(async () => {
		clearInterval(watch);
		console.log(`finality's longest pause: ${longestLag} blocks between the best and the finalised block`);
		await eve?.kill().catch(() => {});
		if (eveBase) rmSync(eveBase, { recursive: true, force: true });
		await network?.stop();
	});

	const ok = (tx, who) => okWith(api, tx, who, { timeoutMs: 180_000 });
	const best = async () => (await api.rpc.chain.getHeader()).number.toNumber();
	const finalised = async () => (await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber();
	const session = async () => (await api.query.session.currentIndex()).toNumber();
	const validators = async () => (await api.query.session.validators()).map((v) => v.toString());
	/** The author of block `n` (Aura's slot author among that block's session validators). */
	const author = async (n) => (await api.derive.chain.getHeader(await api.rpc.chain.getBlockHash(n))).author?.toString();
	/** The GRANDPA precommits Eve's node has cast (`substrate_finality_grandpa_precommits_total`). */
	const precommits = async () => {
		const text = await (await fetch(`http://127.0.0.1:${eve.promPort}/metrics`)).text();
		const hit = /^substrate_finality_grandpa_precommits_total(?:\{[^}]*\})? (\d+)$/m.exec(text);
		return hit ? Number(hit[1]) : 0;
	};
	/** New session keys made by the node serving RPC on `port` (`author_rotateKeysWithOwner`,
	 * which @polkadot/api does not know yet), with the proof that they are `owner`'s:
	 * { keys, proof }, the keys as the SCALE encoding of the runtime's SessionKeys. */
	const rotateKeys = async (port, owner) => {
		const r = await rpcCall(port, 'author_rotateKeysWithOwner', [api.createType('AccountId32', owner).toHex()]);
		return { keys: hexToU8a(r.keys), proof: r.proof };
	};
	/** Waits until the chain is at least `n` sessions past `from`. */
	const sessionsPast = (from, n, what) => until(async () => ((await session()) >= from + n ? true : undefined), what);
	/** Finality goes on: the finalised head moves at least 3 blocks past where it is now. */
	const finalityGoesOn = async (what) => {
		const start = await finalised();
		await until(async () => ((await finalised()) >= start + 3 ? true : undefined), `${what}: finality goes on`);
	};

	test("Eve's node syncs, and her staking proxy sets her keys and bonds: she authors and votes within two sessions", async () => {
		eveBase = mkdtempSync(path.join(os.tmpdir(), 'openledger-eve-'));
		eve = await startNode({
			name: 'validators-eve',
			basePath: eveBase,
			// Node key 5, after network.sh's 1 to 4 (a validator must have one of its own).
			args: ['--chain', network.chainSpec, '--validator', '--name', 'eve', '--node-key', '5'.padStart(64, '0'), '--bootnodes', network.bootnode, ...FAST_SLOTS.args],
		});
		await until(async () => {
			const [theirs, ours] = [await best(), (await eve.api.rpc.chain.getHeader()).number.toNumber()];
			return theirs > 0 && ours >= theirs - 1 ? true : undefined;
		}, "Eve's node syncs");

		assert.equal(await precommits(), 0, 'a node outside the set casts no precommit');
		// The stash (Eve) names Ferdie its staking proxy, once; from then on its key stays cold.
		await ok(api.tx.proxy.addProxy(k.Ferdie.address, 'Staking', 0), k.Eve);
		// Eve's node makes the keys, with a proof that they are for Eve's account.
		const generated = await rotateKeys(eve.rpcPort, k.Eve.address);
		const calls = [api.tx.session.setKeys(generated.keys, generated.proof), api.tx.collatorSelection.registerAsCandidate()];
		const joined = await ok(api.tx.proxy.proxy(k.Eve.address, null, api.tx.utility.batchAll(calls)), k.Ferdie);
		const executed = joined.events.find(({ event }) => api.events.proxy.ProxyExecuted.is(event));
		assert.ok(executed?.event.data[0].isOk, `the proxied batch: ${executed?.event.data[0].toString()}`);
		const setAt = (await api.rpc.chain.getHeader(joined.blockHash)).number.toNumber();
		const candidates = (await api.query.collatorSelection.candidateList()).map((c) => c.who.toString());
		assert.deepEqual(candidates, [k.Eve.address]);

		// Meanwhile Alice rotates her keys on her running node.
		const aliceAura = async () => (await api.query.session.nextKeys(k.Alice.address)).unwrap().aura.toString();
		const aliceOld = await aliceAura();
		const aliceKeys = await rotateKeys(network.rpcPorts[0], k.Alice.address);
		await ok(api.tx.session.setKeys(aliceKeys.keys, aliceKeys.proof), k.Alice);
		const aliceNew = await aliceAura();
		assert.notEqual(aliceNew, aliceOld);

		const from = await session();
		await sessionsPast(from, 2, 'two session boundaries');
		assert.ok((await validators()).includes(k.Eve.address), 'Eve is in the set');
		assert.equal((await api.call.auraApi.authorities()).length, 5);
		assert.equal((await api.call.grandpaApi.grandpaAuthorities()).length, 5);
		const auras = (await api.call.auraApi.authorities()).map((a) => a.toString());
		assert.ok(auras.includes(aliceNew) && !auras.includes(aliceOld), "Alice's rotated Aura key took over at the boundary");

		const first = await until(async () => {
			const now = await best();
			for (let n = setAt + 1; n <= now; n++) if ((await author(n)) === k.Eve.address) return n;
			return undefined;
		}, "a block authored by Eve's node");
		console.log(`blocks from setKeys (#${setAt}) to Eve's first block (#${first}): ${first - setAt}`);
		assert.match(readFileSync(eve.logFile, 'utf8'), /Pre-sealed block for proposal/, "Eve's node proposed a block");
		// A later block of Alice's is sealed with her new key (the node has it, so it authors).
		const again = await best();
		await until(async () => {
			const now = await best();
			for (let n = again + 1; n <= now; n++) if ((await author(n)) === k.Alice.address) return true;
			return undefined;
		}, 'a block by Alice with her new key');
		// Eve's GRANDPA key is in the set, and her node casts precommits (its own Prometheus
		// counter, which stays at zero while a node is not a voter).
		const eveGrandpa = (await api.query.session.nextKeys(k.Eve.address)).unwrap().grandpa.toString();
		assert.ok((await api.call.grandpaApi.grandpaAuthorities()).some(([id]) => id.toString() === eveGrandpa));
		await until(async () => ((await precommits()) > 0 ? true : undefined), "a GRANDPA precommit cast by Eve's node");
		await finalityGoesOn('after Eve joined');
	});

	test('Eve leaves: after the boundary after next she authors nothing, and finality goes on', async () => {
		const left = await ok(api.tx.proxy.proxy(k.Eve.address, null, api.tx.collatorSelection.leaveIntent()), k.Ferdie);
		assert.ok(left.events.some(({ event }) => api.events.collatorSelection.CandidateRemoved.is(event)));
		const from = await session();
		await sessionsPast(from, 2, 'two session boundaries');
		assert.ok(!(await validators()).includes(k.Eve.address), 'Eve is out of the set');
		assert.equal((await api.call.auraApi.authorities()).length, 4);
		assert.equal((await api.call.grandpaApi.grandpaAuthorities()).length, 4);
		const out = await best();
		await until(async () => ((await best()) >= out + 2 * 5 ? true : undefined), 'ten more blocks');
		for (let n = out + 1; n <= out + 10; n++) assert.notEqual(await author(n), k.Eve.address, `block #${n}`);
		await finalityGoesOn('after Eve left');
	});

	test('Eve bonds again and her node stops: two sessions later she is removed, her bond returned, and finality never stopped', async () => {
		const reserved = (await api.query.system.account(k.Eve.address)).data.reserved.toBigInt();
		await ok(api.tx.proxy.proxy(k.Eve.address, null, api.tx.collatorSelection.registerAsCandidate()), k.Ferdie);
		const bonded = (await api.query.system.account(k.Eve.address)).data.reserved.toBigInt();
		assert.ok(bonded > reserved, 'the candidacy bond is reserved again');
		await eve.kill();
		eve = undefined;
		const from = await session();
		await sessionsPast(from, 2, 'two session boundaries');
		assert.ok((await validators()).includes(k.Eve.address), 'the stopped validator entered the set');
		await finalityGoesOn('with one of five validators down');
		// Removed from the candidates once her kick threshold (two sessions) passed, then from the
		// set at the next boundary.
		await until(async () => (!(await validators()).includes(k.Eve.address) ? true : undefined), 'Eve removed from the set', 420_000);
		const candidates = (await api.query.collatorSelection.candidateList()).map((c) => c.who.toString());
		assert.ok(!candidates.includes(k.Eve.address));
		assert.equal((await api.query.system.account(k.Eve.address)).data.reserved.toBigInt(), reserved, 'her bond is returned');
		assert.equal((await api.call.auraApi.authorities()).length, 4);
		await finalityGoesOn('after Eve was removed');
	});
});
