// The explorer's shell: connects to the node, routes `#/…` links to views, re-renders the
// current view on every new block, and runs the actions of its buttons (claim, review) with the
// accounts this browser can sign with.

import { connect, sendAndWait } from '@openledger/client';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import { html } from './html.js';
import * as views from './views.js';

const DEV_ACCOUNTS = ['Alice', 'Bob', 'Charlie', 'Dave', 'Eve', 'Ferdie'];
const RPC_KEY = 'openledger.rpc';

/** The node's address: `?rpc=` in the page's address, else the one saved in settings, else a dev node's. */
function rpcUrl() {
	return new URLSearchParams(location.search).get('rpc') || localStorage.getItem(RPC_KEY) || `ws://${location.hostname || '127.0.0.1'}:9944`;
}

const ROUTES = [
	[/^\/?$/, views.home],
	[/^\/datanets$/, views.datanets],
	[/^\/datanet\/(\d+)$/, views.datanet],
	[/^\/datanet\/(\d+)\/curate$/, views.curate],
	[/^\/models$/, views.models],
	[/^\/model\/(\d+)$/, views.model],
	[/^\/inferences$/, views.inferences],
	[/^\/inference\/(\d+)$/, views.inference],
	[/^\/account$/, views.accountPick],
	[/^\/account\/(\w+)$/, views.accountView],
	[/^\/attestors$/, views.attestors],
	[/^\/market$/, views.market],
	[/^\/settings$/, views.settings],
];

function route() {
	const [path, q = ''] = location.hash.replace(/^#/, '').split('?');
	for (const [re, view] of ROUTES) {
		const m = re.exec(path);
		if (m) return { view, params: m.slice(1).map((p) => (/^\d+$/.test(p) ? Number(p) : p)), query: new URLSearchParams(q) };
	}
	return { view: async () => html`<h1>Not found</h1><p>No page at ${location.hash}.</p>`, params: [], query: new URLSearchParams() };
}

const el = {
	view: document.getElementById('view'),
	chain: document.getElementById('chain'),
};

const ctx = { api: undefined, best: 0, finalized: 0, signers: [], extension: undefined, rpcUrl: rpcUrl(), message: undefined };

let rendering = false;
let again = false;

/** Renders the current route; a call while one runs makes it run once more when done. */
async function render() {
	if (rendering) {
		again = true;
		return;
	}
	rendering = true;
	try {
		do {
			again = false;
			const block = ctx.best;
			const { view, params, query } = route();
			let out;
			try {
				out = String(await view(ctx, params, query));
			} catch (e) {
				out = String(html`<p class="error">${e.message}</p>`);
				console.error(e);
			}
			if (ctx.message) out = String(html`<p class="${ctx.message.error ? 'error' : 'note'}" data-testid="message">${ctx.message.text}</p>`) + out;
			// A newer route or block has come in meanwhile: render that instead.
			if (again) continue;
			if (el.view.innerHTML !== out) el.view.innerHTML = out;
			document.body.dataset.renderedBlock = String(block);
			document.body.dataset.renderedRoute = location.hash || '#/';
		} while (again);
	} finally {
		rendering = false;
	}
}

function showChain() {
	el.chain.textContent = `${ctx.chainName} · best #${ctx.best} · finalised #${ctx.finalized} · ${ctx.rpcUrl}`;
	el.chain.dataset.best = String(ctx.best);
}

async function devSigners(api) {
	const type = await api.rpc.system.chainType();
	if (!type.isDevelopment && !type.isLocal) return [];
	await cryptoWaitReady();
	const keyring = new Keyring({ type: 'sr25519', ss58Format: api.registry.chainSS58 ?? 42 });
	return DEV_ACCOUNTS.map((name) => {
		const pair = keyring.addFromUri(`//${name}`);
		return { address: pair.address, name, source: 'dev account', pair };
	});
}

async function enableExtension() {
	// Loaded on demand: only a click asks the extension for access.
	const { web3Accounts, web3Enable, web3FromAddress } = await import('@polkadot/extension-dapp');
	const injected = await web3Enable('OpenLedger explorer');
	if (injected.length === 0) throw new Error('no browser extension answered (Polkadot.js, Talisman, SubWallet…), or access was refused');
	ctx.extension = injected.map((i) => `${i.name} ${i.version}`).join(', ');
	for (const a of await web3Accounts()) {
		const address = ctx.api.createType('AccountId32', a.address).toString();
		if (ctx.signers.some((s) => s.address === address)) continue;
		const injector = await web3FromAddress(a.address);
		ctx.signers.push({ address, name: a.meta.name ?? '', source: a.meta.source, signer: injector.signer });
	}
}

/** Signs and sends `tx` as `address`, and reports the outcome above the view. */
async function send(address, tx, what) {
	const s = ctx.signers.find((x) => x.address === address);
	if (!s) throw new Error(`this browser cannot sign as ${address}`);
	ctx.message = { text: `${what}: sent, waiting for the block…` };
	render();
	const r = await sendAndWait(ctx.api, tx, s.pair ?? { address, signer: s.signer }, { until: 'inBlock' });
	ctx.message = r.dispatchError ? { text: `${what} failed: ${r.dispatchError}`, error: true } : { text: `${what}: done in block ${r.blockHash.toHex().slice(0, 10)}…` };
}

const ACTIONS = {
	async claim(d) {
		await send(d.signer, ctx.api.tx.rewards.claim(), 'claim');
	},
	async review(d) {
		await send(d.signer, ctx.api.tx.datanets.review(Number(d.datanet), d.record, d.accept === '1'), d.accept === '1' ? 'accept' : 'reject');
	},
	async 'enable-extension'() {
		await enableExtension();
	},
};

const FORMS = {
	'set-rpc'(form) {
		localStorage.setItem(RPC_KEY, form.rpc.value.trim());
		const url = new URL(location.href);
		url.searchParams.delete('rpc');
		location.replace(url.toString());
		location.reload();
	},
	'goto-account'(form) {
		location.hash = `#/account/${form.address.value.trim()}`;
	},
};

el.view.addEventListener('click', async (ev) => {
	const button = ev.target.closest('button[data-action]');
	if (!button || !ACTIONS[button.dataset.action]) return;
	ev.preventDefault();
	button.disabled = true;
	try {
		await ACTIONS[button.dataset.action](button.dataset);
	} catch (e) {
		ctx.message = { text: e.message, error: true };
	}
	render();
});

el.view.addEventListener('submit', (ev) => {
	const form = ev.target.closest('form[data-action]');
	if (!form) return;
	ev.preventDefault();
	FORMS[form.dataset.action]?.(form);
});

window.addEventListener('hashchange', () => {
	ctx.message = undefined;
	render();
});

async function start() {
	try {
		ctx.api = await connect(ctx.rpcUrl);
	} catch (e) {
		el.chain.textContent = `not connected: ${ctx.rpcUrl}`;
		el.view.innerHTML = String(html`<p class="error">${e.message}</p><p>Set the node's address in <a href="#/settings">settings</a>, or open this page with <code>?rpc=ws://HOST:PORT</code>.</p>`);
		window.addEventListener('hashchange', () => location.hash === '#/settings' && views.settings(ctx).then((h) => (el.view.innerHTML = String(h))));
		return;
	}
	ctx.chainName = (await ctx.api.rpc.system.chain()).toString();
	ctx.signers = await devSigners(ctx.api);
	await ctx.api.rpc.chain.subscribeFinalizedHeads((h) => {
		ctx.finalized = h.number.toNumber();
		showChain();
	});
	// Every new block re-renders the view: balances, statuses and lists stay current.
	await ctx.api.rpc.chain.subscribeNewHeads((h) => {
		ctx.best = h.number.toNumber();
		showChain();
		render();
	});
}

window.openledger = ctx; // for the console, and for tests
start();
