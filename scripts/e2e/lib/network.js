// The four validators of `--chain local`, started by scripts/network.sh (the script a user runs
// for a local network), on port bases free on this machine and in a directory of their own, so
// that a test's network never meets another's. The harness builds nothing: the script runs the
// node that `nodeBinary()` finds.

import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { connect as connectTo } from '@openledger/client';

import { freePorts, nodeBinary, repoRoot, wasmCacheArgs } from './node.js';

export const VALIDATORS = ['alice', 'bob', 'charlie', 'dave'];

/** The four-validator files run on 3-second slots, which halves what they wait for in blocks,
 * with the worker's budget per block halved to match (1,500 of 3,000 ms, as 3,000 of 6,000 is on
 * the chain users run). The rules they test count blocks, not seconds; 6-second Aura and GRANDPA
 * are exercised by chain.test.js, docker-compose.test.js, cli.test.js and versions.test.js. */
export const FAST_SLOTS = { slotMs: 3_000, args: ['-lattribution=info', '--attribution-worker-ms', '1500'] };

const run = promisify(execFile);

/**
 * Starts Alice to Dave with `scripts/network.sh start --fresh -- ARGS` (with `--slot-ms SLOTMS`
 * when `slotMs` is given: Aura slots of that many milliseconds instead of 6,000, and
 * `--session-blocks N` when `sessionBlocks` is: sessions of N blocks instead of 10 minutes), waits
 * until each answers RPC and connects @polkadot/api to each. Returns {
 *   apis: one per validator, Alice's first (a restart replaces its validator's),
 *   api(validator), rpcPorts, dir,
 *   chainSpec: the raw chain spec the network runs (a file in dir), or 'local',
 *   bootnode: Alice's multiaddress, for another node to join,
 *   script(command, ...args): runs network.sh on this network and resolves with its output,
 *   kill(validator): `network.sh kill` (SIGKILL, as a crash would),
 *   restart(validator, { fresh }): `network.sh start --only` with the same ARGS (`--fresh`
 *     wipes its database first); resolves with its new api,
 *   logFile(validator): its log, to which each restart appends,
 *   stop(): stops the nodes, keeps their logs in $E2E_LOG_DIR as <name>-<validator>.log, and
 *     removes their databases }.
 */
export async function startNetwork({ args = [], name = 'network', slotMs, sessionBlocks } = {}) {
	const dir = mkdtempSync(path.join(os.tmpdir(), `openledger-${name}-`));
	const rpcBase = await freePorts(VALIDATORS.length);
	const p2pBase = await freePorts(VALIDATORS.length);
	const env = {
		...process.env,
		OPENLEDGER_NODE: nodeBinary(),
		OPENLEDGER_NETWORK_DIR: dir,
		OPENLEDGER_NETWORK_RPC_PORT: String(rpcBase),
		OPENLEDGER_NETWORK_P2P_PORT: String(p2pBase),
		OPENLEDGER_NETWORK_PROM_PORT: String(await freePorts(VALIDATORS.length)),
	};
	const script = async (command, ...rest) => {
		const { stdout } = await run('bash', [path.join(repoRoot, 'scripts', 'network.sh'), command, ...rest], { env, maxBuffer: 1 << 20 });
		return stdout;
	};
	// Should this process end without stop(), the nodes (children of the script, not of this
	// process) must not outlive it.
	const killAll = () => {
		for (const v of VALIDATORS) {
			const pidFile = path.join(dir, `${v}.pid`);
			if (!existsSync(pidFile)) continue;
			try {
				process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
			} catch {
				// already gone
			}
		}
	};
	process.on('exit', killAll);

	const apis = [];
	const stop = async () => {
		for (const api of apis) await api.disconnect().catch(() => {});
		try {
			await script('stop');
		} finally {
			killAll();
			process.off('exit', killAll);
			const logDir = process.env.E2E_LOG_DIR || path.join(os.tmpdir(), 'openledger-e2e');
			mkdirSync(logDir, { recursive: true });
			for (const v of VALIDATORS) {
				const log = path.join(dir, `${v}.log`);
				if (existsSync(log)) copyFileSync(log, path.join(logDir, `${name}-${v}.log`));
			}
			rmSync(dir, { recursive: true, force: true });
		}
	};

	const extra = [...(process.env.E2E_NODE_LOG ? [`-l${process.env.E2E_NODE_LOG}`] : []), ...wasmCacheArgs()];
	const slot = [
		...(slotMs ? ['--slot-ms', String(slotMs)] : []),
		...(sessionBlocks ? ['--session-blocks', String(sessionBlocks)] : []),
	];
	const rpcPorts = VALIDATORS.map((_, i) => rpcBase + i);
	const connect = (i) => connectTo(`ws://127.0.0.1:${rpcPorts[i]}`);
	const index = (validator) => {
		const i = VALIDATORS.indexOf(validator);
		if (i < 0) throw new Error(`no validator ${validator}`);
		return i;
	};
	const kill = async (validator) => {
		await apis[index(validator)].disconnect().catch(() => {});
		await script('kill', validator);
	};
	const restart = async (validator, { fresh = false } = {}) => {
		const i = index(validator);
		await apis[i].disconnect().catch(() => {});
		await script('start', '--only', validator, ...slot, ...(fresh ? ['--fresh'] : []), '--', ...args, ...extra);
		apis[i] = await connect(i);
		return apis[i];
	};
	const logFile = (validator) => path.join(dir, `${VALIDATORS[index(validator)]}.log`);
	try {
		const started = await script('start', '--fresh', ...slot, '--', ...args, ...extra);
		// The spec the script started the nodes on, as it names it.
		const chainSpec = /^\[network\] chain spec: (.+)$/m.exec(started)?.[1] ?? 'local';
		for (const i of rpcPorts.keys()) apis.push(await connect(i));
		const bootnode = `/ip4/127.0.0.1/tcp/${p2pBase}/p2p/${(await apis[0].rpc.system.localPeerId()).toString()}`;
		return { apis, api: (validator) => apis[index(validator)], rpcPorts, dir, chainSpec, bootnode, script, kill, restart, logFile, stop };
	} catch (e) {
		const tails = VALIDATORS.map((v) => {
			const log = path.join(dir, `${v}.log`);
			return existsSync(log) ? `${v}:\n${readFileSync(log, 'utf8').split('\n').slice(-10).join('\n')}` : `${v}: no log`;
		});
		await stop().catch(() => {});
		throw new Error(`scripts/network.sh start failed: ${e.stderr ?? e.message}\n${tails.join('\n')}`);
	}
}
