// The explorer as the browser tests meet it: its bundle served by explorer/serve.js, and the
// Chromium that setup.sh installs.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

import { repoRoot } from './node.js';

export const DIST = path.join(repoRoot, 'explorer', 'dist');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
/** Why the browser tests are skipped, or false when they run. */
export const SKIP_BROWSER = !existsSync(path.join(DIST, 'app.js')) && 'explorer/dist is not built (npm run build -w explorer)';

/** Serves explorer/dist with explorer/serve.js on a free port; resolves with { url, stop }. */
export function serve() {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, [path.join(repoRoot, 'explorer', 'serve.js'), '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
		child.on('error', reject);
		child.on('exit', (code) => reject(new Error(`explorer/serve.js exited with ${code}`)));
		child.stdout.on('data', (d) => {
			const m = /on (http:\/\/[\d.]+:\d+)\//.exec(String(d));
			if (m) resolve({ url: m[1], stop: () => child.kill() });
		});
	});
}
