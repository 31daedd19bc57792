// The command-line client (`client/bin/openledger.js`) run as a user runs it, against a node.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';

import { repoRoot } from './node.js';

export const CLI = path.join(repoRoot, 'client', 'bin', 'openledger.js');

/**
 * Runs the CLI with `args` (and `--url` of the node); resolves with { status, stdout, stderr }.
 * `input` is written to its stdin; `onStderr(text, child)` sees stderr as it comes.
 */
export function cli(node, args, { input, onStderr } = {}) {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, [CLI, ...args, '--url', `ws://127.0.0.1:${node.rpcPort}`], { stdio: ['pipe', 'pipe', 'pipe'] });
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (d) => (stdout += d));
		child.stderr.on('data', (d) => {
			stderr += d;
			onStderr?.(stderr, child);
		});
		child.on('error', reject);
		child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
		child.stdin.end(input ?? '');
	});
}

/** `cli` for a command that must succeed with --json: its parsed result. */
export async function cliJson(node, args, opts) {
	const r = await cli(node, [...args, '--json'], opts);
	assert.equal(r.status, 0, `openledger ${args[0]} exited ${r.status}:\n${r.stderr}`);
	return JSON.parse(r.stdout);
}
