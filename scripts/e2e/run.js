// Runs the end-to-end files `concurrency` at a time, the longest first, each in its own
// `node --test` process. Node's own runner starts files in alphabetical order, so the two
// four-validator files (the longest, about five minutes each) started last and ran alone at the
// end; taken first, the short files fill the other lanes while they run (longest-processing-time
// scheduling). A file not in `LONGEST_FIRST` runs after those, alphabetically.
//
//   node run.js [--concurrency N] [FILE...]     (default: every tests/*.test.js, 4 at a time)
//
// Each file's output is printed whole when it ends, with its time; the exit status is 1 if
// any file failed.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeBinary } from './lib/node.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The files by their time in CI, longest first (see docs/benchmarks.md, build and CI times). */
const LONGEST_FIRST = ['local-network', 'faults', 'validators', 'versions', 'governance', 'load', 'attribution', 'chain', 'cli', 'docker-compose'];

function parse(argv) {
	let concurrency = 4;
	const files = [];
	for (let i = 0; i < argv.length; i++) {
		if (argv[i] === '--concurrency') concurrency = Number(argv[++i]);
		else files.push(path.resolve(argv[i]));
	}
	if (!(concurrency >= 1)) throw new Error('--concurrency wants a positive number');
	if (files.length === 0) {
		const dir = path.join(here, 'tests');
		for (const f of readdirSync(dir).sort()) if (f.endsWith('.test.js')) files.push(path.join(dir, f));
	}
	const rank = (f) => {
		const i = LONGEST_FIRST.indexOf(path.basename(f, '.test.js'));
		return i < 0 ? LONGEST_FIRST.length : i;
	};
	// A stable sort: unranked files keep their alphabetical order.
	return { concurrency, files: files.sort((a, b) => rank(a) - rank(b)) };
}

/** Runs one file; resolves with its name, status, time and output. */
function runFile(file) {
	const started = Date.now();
	return new Promise((resolve) => {
		const child = spawn(process.execPath, ['--test', file], { cwd: here, stdio: ['ignore', 'pipe', 'pipe'] });
		const out = [];
		child.stdout.on('data', (d) => out.push(d));
		child.stderr.on('data', (d) => out.push(d));
		child.on('close', (code, signal) => {
			resolve({ name: path.basename(file), ok: code === 0, code: code ?? signal, seconds: Math.round((Date.now() - started) / 1000), output: Buffer.concat(out).toString() });
		});
	});
}

/**
 * Exports the dev chain's raw spec once for the whole run, into E2E_DEV_SPEC, so that every
 * `--dev` node of the files starts from it (`startNode`), and names a directory for the nodes'
 * shared cache of the compiled runtime (E2E_WASM_CACHE). Built from the runtime's genesis preset,
 * `--dev` runs the runtime's genesis builder at every start, compiling the runtime twice more:
 * 7.8 s against 3.1 s to the first RPC answer (docs/benchmarks.md). The raw spec is the same
 * genesis, written by the same binary, and `--dev` keeps its other effects. Returns the
 * directory to remove at the end.
 */
function exportDevSpec() {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'openledger-e2e-'));
	const spec = path.join(dir, 'dev-raw.json');
	const out = spawnSync(nodeBinary(), ['export-chain-spec', '--chain', 'dev', '--raw'], { maxBuffer: 256 << 20 });
	if (out.status !== 0) throw new Error(`export-chain-spec --chain dev --raw failed: ${out.stderr}`);
	writeFileSync(spec, out.stdout);
	process.env.E2E_DEV_SPEC = spec;
	// The nodes' shared cache of the compiled runtime (`--wasm-cache`, lib/node.js).
	process.env.E2E_WASM_CACHE = path.join(dir, 'wasm-cache');
	return dir;
}

async function main() {
	const { concurrency, files } = parse(process.argv.slice(2));
	const specDir = process.env.E2E_DEV_SPEC ? null : exportDevSpec();
	console.log(`[e2e] ${files.length} files, ${concurrency} at a time: ${files.map((f) => path.basename(f)).join(', ')}`);
	const started = Date.now();
	const queue = [...files];
	const results = [];
	const lane = async () => {
		while (queue.length > 0) {
			const file = queue.shift();
			console.log(`[e2e] start ${path.basename(file)}`);
			const r = await runFile(file);
			process.stdout.write(r.output);
			console.log(`[e2e] ${r.ok ? 'passed' : `FAILED (exit ${r.code})`}: ${r.name} in ${r.seconds} s`);
			results.push(r);
		}
	};
	await Promise.all(Array.from({ length: concurrency }, lane));
	if (specDir) rmSync(specDir, { recursive: true, force: true });
	console.log(`[e2e] times: ${results.map((r) => `${r.name} ${r.seconds} s`).join(', ')}; all ${Math.round((Date.now() - started) / 1000)} s`);
	const failed = results.filter((r) => !r.ok);
	if (failed.length > 0) {
		console.log(`[e2e] ${failed.length} of ${results.length} files failed: ${failed.map((r) => r.name).join(', ')}`);
		process.exitCode = 1;
	} else {
		console.log(`[e2e] all ${results.length} files passed`);
	}
}

await main();
