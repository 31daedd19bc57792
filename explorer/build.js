// Builds the explorer into dist/: one ES module bundle (esbuild) with index.html and style.css.
// The bundle holds everything, @polkadot/api and its wasm crypto included, so dist/ is served as
// plain static files.

import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { build } from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(here, 'dist');
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
const result = await build({
	entryPoints: [path.join(here, 'src', 'main.js')],
	bundle: true,
	format: 'esm',
	platform: 'browser',
	target: 'es2022',
	minify: true,
	sourcemap: true,
	outfile: path.join(dist, 'app.js'),
	metafile: true,
	logLevel: 'warning',
});
for (const f of ['index.html', 'style.css']) copyFileSync(path.join(here, f), path.join(dist, f));
const bytes = Object.values(result.metafile.outputs).reduce((a, o) => a + o.bytes, 0);
console.log(`explorer built in ${path.relative(process.cwd(), dist) || dist}: ${(bytes / 1e6).toFixed(1)} MB`);
