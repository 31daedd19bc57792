// Serves the built explorer (dist/) on loopback: `node serve.js [--port 8080] [--host 127.0.0.1]`.
// Any static file server does as well; this one needs nothing beyond Node.js.

import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({ options: { port: { type: 'string', default: '8080' }, host: { type: 'string', default: '127.0.0.1' }, dir: { type: 'string', default: path.join(here, 'dist') } } });
const root = path.resolve(values.dir);
if (!existsSync(path.join(root, 'index.html'))) {
	console.error(`no explorer build in ${root}: run \`npm run build -w explorer\` first`);
	process.exit(1);
}
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json', '.png': 'image/png' };

const server = createServer((req, res) => {
	let file;
	try {
		const url = new URL(req.url, 'http://x');
		file = path.resolve(root, `.${decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname)}`);
	} catch {
		res.writeHead(400, { 'content-type': 'text/plain' }).end('bad request');
		return;
	}
	if (!file.startsWith(root + path.sep) || !existsSync(file) || !statSync(file).isFile()) {
		res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
		return;
	}
	res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
	createReadStream(file).pipe(res);
});
server.listen(Number(values.port), values.host, () => {
	const { port } = server.address();
	console.log(`explorer on http://${values.host}:${port}/ (set the node with ?rpc=ws://HOST:PORT)`);
});
