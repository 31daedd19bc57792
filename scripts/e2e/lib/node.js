// Test harness: starts a real `openledger-node` on free loopback ports with `--tmp`, waits until
// its RPC answers, connects @polkadot/api with the chain's definitions (@openledger/client), and
// always kills the node at the end.
//
// The harness builds nothing. It runs the binary at $OPENLEDGER_NODE, or else
// $CARGO_TARGET_DIR/debug/openledger-node, or else <repo>/target/debug/openledger-node.

import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { connect } from '@openledger/client';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..', '..', '..');

/** The node binary the tests run. */
export function nodeBinary() {
	const candidates = [
		process.env.OPENLEDGER_NODE,
		process.env.CARGO_TARGET_DIR && path.join(process.env.CARGO_TARGET_DIR, 'debug', 'openledger-node'),
		path.join(os.homedir(), '.cache', 'openledger', 'target', 'debug', 'openledger-node'),
		path.join(repoRoot, 'target', 'debug', 'openledger-node'),
	].filter(Boolean);
	const found = candidates.find((p) => existsSync(p));
	if (!found) {
		throw new Error(`openledger-node not found (looked in ${candidates.join(', ')}); build it first`);
	}
	return found;
}

/**
 * The runtime one `spec_version` higher that the build script makes next to the node's own
 * (`<profile>/wbuild/openledger-runtime/openledger_runtime_next*.wasm`), or
 * $OPENLEDGER_NEXT_RUNTIME.
 */
export function nextRuntimeWasm() {
	const dir = path.join(path.dirname(nodeBinary()), 'wbuild', 'openledger-runtime');
	const candidates = [
		process.env.OPENLEDGER_NEXT_RUNTIME,
		path.join(dir, 'openledger_runtime_next.compact.compressed.wasm'),
		path.join(dir, 'openledger_runtime_next.wasm'),
	].filter(Boolean);
	const found = candidates.find((p) => existsSync(p));
	if (!found) throw new Error(`the upgrade runtime was not found (looked in ${candidates.join(', ')})`);
	return readFileSync(found);
}

/** Ports this process has handed out: the OS may offer a port again as soon as the probe that
 * found it closes, before the node it was meant for binds it. */
const handedOut = new Set();

/**
 * Test files run in processes side by side (`node --test --test-concurrency`), and the OS may
 * offer two of them the same port between a probe and a node's bind. So a port is handed out
 * only after this process has claimed it in a directory they share: a file named after the port,
 * created exclusively, holding the claimant's pid, and removed when the process exits. A claim
 * left by a process that died without exiting (SIGKILL) is not taken over (a port is skipped),
 * and is removed a day later.
 */
const claimDir = path.join(os.tmpdir(), 'openledger-e2e-ports');
const claims = [];
mkdirSync(claimDir, { recursive: true });
for (const f of readdirSync(claimDir)) {
	const file = path.join(claimDir, f);
	try {
		const owner = Number(readFileSync(file, 'utf8'));
		if (!alive(owner) && Date.now() - statSync(file).mtimeMs > 86_400_000) rmSync(file, { force: true });
	} catch {
		// another process removed it
	}
}
process.on('exit', () => {
	for (const file of claims) rmSync(file, { force: true });
});

function alive(pid) {
	try {
		process.kill(pid, 0);
		return true;
	} catch (e) {
		return e.code === 'EPERM';
	}
}

/** Claims `port` for this process against the other test processes; false if one has it. */
function claim(port) {
	const file = path.join(claimDir, String(port));
	try {
		writeFileSync(file, String(process.pid), { flag: 'wx' });
	} catch (e) {
		if (e.code === 'EEXIST') return false;
		throw e;
	}
	claims.push(file);
	return true;
}

/** One port the OS offers on 127.0.0.1 now (listening on port 0, then closing). */
function probePort() {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address();
			server.close(() => resolve(port));
		});
	});
}

/**
 * A TCP port on 127.0.0.1 that nothing listens on right now and that this process has not
 * handed out before. Two probes in a row can return the same port (a node once got its
 * Prometheus port equal to its RPC port, and its RPC server fell back to another one), so
 * every port is handed out once.
 */
export function freePort() {
	return freePorts(1);
}

/** Whether `port` on 127.0.0.1 can be listened on now. */
function portFree(port) {
	return new Promise((resolve) => {
		const server = net.createServer();
		server.unref();
		server.once('error', () => resolve(false));
		server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
	});
}

/**
 * The first of `n` consecutive TCP ports on 127.0.0.1 that nothing listens on now, that this
 * process has not handed out before and that it has claimed (scripts/network.sh takes a base
 * port per kind and adds the node's index).
 */
export async function freePorts(n) {
	for (;;) {
		const base = await probePort();
		const range = Array.from({ length: n }, (_, i) => base + i);
		if (range.at(-1) > 65535 || range.some((p) => handedOut.has(p))) continue;
		const free = await Promise.all(range.map(portFree));
		if (!free.every(Boolean)) continue;
		const claimed = range.filter(claim);
		for (const p of claimed) handedOut.add(p);
		if (claimed.length === n) return base;
	}
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** One JSON-RPC call over HTTP. Throws the JSON-RPC error, with its message. */
export async function rpcCall(port, method, params = []) {
	const res = await fetch(`http://127.0.0.1:${port}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
	});
	const body = await res.json();
	if (body.error) {
		const err = new Error(`${method}: ${body.error.message}`);
		err.rpc = body.error;
		throw err;
	}
	return body.result;
}

/**
 * `--wasm-cache` the directory run.js made for the run (E2E_WASM_CACHE), if it did: the first
 * node to start compiles the runtime and the others read it back (2.7 s a start saved).
 */
export function wasmCacheArgs() {
	return process.env.E2E_WASM_CACHE ? ['--wasm-cache', process.env.E2E_WASM_CACHE] : [];
}

/**
 * Starts a node. `args` are added to the database and port flags, e.g. ['--dev'] or
 * ['--dev', '--sealing', 'manual']. The database is `--tmp` unless `basePath` names one (which a
 * restart can reuse); `ports` ({ rpcPort, p2pPort, promPort }, as a node returned them) starts
 * it on the ports of an earlier run, so that its peers find it again. Returns { api, rpcPort,
 * p2pPort, promPort, rpc(method, params), stop(), kill(), logFile }.
 */
export async function startNode({ args = ['--dev'], name = 'node', timeoutMs = 180_000, basePath, ports } = {}) {
	const binary = nodeBinary();
	const { rpcPort, p2pPort, promPort } = ports ?? { rpcPort: await freePort(), p2pPort: await freePort(), promPort: await freePort() };
	const logDir = process.env.E2E_LOG_DIR || path.join(os.tmpdir(), 'openledger-e2e');
	mkdirSync(logDir, { recursive: true });
	const logFile = path.join(logDir, `${name}-${rpcPort}.log`);
	const log = createWriteStream(logFile, { flags: 'a' });

	// `--dev` from the raw dev spec that run.js exported for the whole run, if it did.
	const devSpec = process.env.E2E_DEV_SPEC && args.includes('--dev') && !args.includes('--chain') ? ['--chain', process.env.E2E_DEV_SPEC] : [];
	const fullArgs = [
		...args,
		...devSpec,
		...wasmCacheArgs(),
		// More log targets for every node, e.g. E2E_NODE_LOG=txpool=debug,offchain=debug.
		...(process.env.E2E_NODE_LOG ? [`-l${process.env.E2E_NODE_LOG}`] : []),
		...(basePath ? ['--base-path', basePath] : ['--tmp']),
		'--rpc-port', String(rpcPort),
		'--prometheus-port', String(promPort),
		'--no-telemetry',
		'--no-mdns',
		'--listen-addr', `/ip4/127.0.0.1/tcp/${p2pPort}`,
	];
	const child = spawn(binary, fullArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
	// Both outputs into one file, which ends once both have (at 'close'): stop() and kill() wait
	// for it, so that a test reading the log after them sees every line the node wrote.
	child.stdout.pipe(log, { end: false });
	child.stderr.pipe(log, { end: false });
	const logged = new Promise((r) => child.once('close', () => log.end(r)));
	let exited = null;
	child.on('exit', (code, signal) => {
		exited = { code, signal };
	});
	const kill = () => {
		if (exited === null) child.kill('SIGKILL');
	};
	process.on('exit', kill);

	const deadline = Date.now() + timeoutMs;
	for (;;) {
		if (exited !== null) {
			await logged;
			const tail = readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n');
			throw new Error(`openledger-node exited early (${JSON.stringify(exited)}); ${logFile}:\n${tail}`);
		}
		try {
			await rpcCall(rpcPort, 'system_health');
			break;
		} catch (e) {
			if (Date.now() > deadline) {
				kill();
				throw new Error(`RPC on port ${rpcPort} did not answer in ${timeoutMs} ms; see ${logFile}`);
			}
			await sleep(250);
		}
	}

	const api = await connect(`ws://127.0.0.1:${rpcPort}`);

	return {
		api,
		rpcPort,
		p2pPort,
		promPort,
		logFile,
		rpc: (method, params) => rpcCall(rpcPort, method, params),
		/** Kills the process at once (SIGKILL), as a crash or a power cut would. */
		async kill() {
			await api.disconnect().catch(() => {});
			if (exited === null) {
				child.kill('SIGKILL');
				await new Promise((r) => (exited !== null ? r() : child.once('exit', r)));
			}
			await logged;
			process.off('exit', kill);
		},
		async stop() {
			try {
				await api.disconnect();
			} finally {
				if (exited === null) {
					child.kill('SIGTERM');
					const t = setTimeout(kill, 5_000);
					await new Promise((r) => (exited !== null ? r() : child.once('exit', r)));
					clearTimeout(t);
				}
				await logged;
				process.off('exit', kill);
			}
		},
	};
}
