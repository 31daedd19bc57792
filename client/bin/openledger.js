#!/usr/bin/env node
// `openledger`: the command-line client of the OpenLedger chain for contributors and model
// developers. `openledger --help` lists the commands; `openledger <command> --help` explains one.

import { createInterface } from 'node:readline';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

import { blake3 } from '@noble/hashes/blake3';
import { u8aConcat, u8aToHex } from '@polkadot/util';

import {
	assetHolding,
	buyAsset,
	ChainError,
	claim as claimRewards,
	connect,
	contributeBatch,
	contributorEarnings,
	createDatanet,
	datanetSchema,
	DEFAULT_URL,
	describeSources,
	existingRecords,
	formatOpen,
	fromSuri,
	inferenceAnswer,
	invoke as invokeAgent,
	invokedBy,
	invokeNow,
	judgeAnswer,
	KeyError,
	listAsset,
	modelSpec,
	modelStatus,
	parseOpen,
	payloadsOf,
	publishVersion,
	qualityFlags,
	registerAgent,
	registerModel,
	revenueShares,
	setPayee,
	setRevenueShares,
	settleRevenue,
	sharedRecord,
	sourcesOf,
	toRecord,
	transfer as transferOpen,
	transferAsset,
	waitForInference,
	waitForModel,
} from '../lib/index.js';
import { fromKeystore, readRecords } from '../lib/files.js';

/** Exit statuses a script can rely on. */
const EXIT = {
	/** Done. */
	ok: 0,
	/** The chain refused or failed it: a dispatch error, a Failed model, a refunded inference, a timeout. */
	chain: 1,
	/** The command line is wrong. */
	usage: 2,
	/** A row of the input file does not fit the Datanet; nothing was sent. */
	input: 3,
	/** The key could not be loaded: a wrong password, a bad secret URI or keystore. */
	key: 4,
	/** The node could not be reached. */
	connection: 5,
};

/** An error that ends the command with `status` and `message` on stderr. */
class Exit extends Error {
	constructor(status, message) {
		super(message);
		this.status = status;
	}
}

const COMMON = {
	url: { type: 'string', default: process.env.OPENLEDGER_URL ?? DEFAULT_URL, help: 'the node\'s WebSocket RPC address (or $OPENLEDGER_URL)' },
	json: { type: 'boolean', default: false, help: 'print the result as one JSON object on stdout' },
	help: { type: 'boolean', short: 'h', default: false, help: 'show this help' },
};
const ASSET = {
	datanet: { type: 'string', help: 'the Datanet' },
	model: { type: 'string', help: 'the model' },
	agent: { type: 'string', help: 'the agent' },
};
const SIGNER = {
	suri: { type: 'string', help: 'the signer\'s secret URI, e.g. //Alice or a mnemonic (or $OPENLEDGER_SURI)' },
	keystore: { type: 'string', help: 'a JSON keystore exported by Polkadot.js; the password is asked for (or read from stdin, or $OPENLEDGER_PASSWORD)' },
};

const COMMANDS = {
	create: {
		summary: 'create a Datanet',
		usage: '--name NAME --schema dense:DIMS:CLASSES:MAX|text:CLASSES [--curated] [--license L] [--description D]',
		options: {
			name: { type: 'string', help: 'the Datanet\'s name' },
			schema: { type: 'string', help: 'dense:DIMS:CLASSES:MAX_VALUE (e.g. dense:64:10:16) or text:CLASSES' },
			curated: { type: 'boolean', default: false, help: 'contributions wait for a curator\'s review' },
			license: { type: 'string', default: 'CC-BY-4.0', help: 'the records\' license (default CC-BY-4.0)' },
			description: { type: 'string', default: '', help: 'a description' },
			...SIGNER,
		},
		run: create,
	},
	contribute: {
		summary: 'contribute the records of a CSV or JSONL file to a Datanet, in batches; a rerun skips what is on chain',
		usage: '--datanet ID --file PATH [--format csv|jsonl] [--batch N] [--skip-invalid]',
		options: {
			datanet: { type: 'string', help: 'the Datanet' },
			file: { type: 'string', help: 'CSV rows `label,v1,…,vN` (Dense) or `label,text` (Text), or JSONL {"label":…,"values":[…]} / {"label":…,"text":"…"}' },
			format: { type: 'string', help: 'csv or jsonl (default: from the file\'s extension)' },
			batch: { type: 'string', help: 'records per transaction (default and most: the chain\'s MaxContributionBatch)' },
			'skip-invalid': { type: 'boolean', default: false, help: 'send the valid rows even if some are not (they are still listed)' },
			...SIGNER,
		},
		run: contribute,
	},
	publish: {
		summary: 'publish a version of a Datanet (its owner only)',
		usage: '--datanet ID [--count N]',
		options: {
			datanet: { type: 'string', help: 'the Datanet' },
			count: { type: 'string', help: 'the version\'s records: the first N accepted (default: all accepted)' },
			...SIGNER,
		},
		run: publish,
	},
	'fetch-version': {
		summary: 'download a published version of a Datanet to a JSON Lines file, checking every payload against its record and the records against the version\'s root',
		usage: '--datanet ID --version V --out PATH',
		options: {
			datanet: { type: 'string', help: 'the Datanet' },
			version: { type: 'string', help: 'the version' },
			out: { type: 'string', help: 'the file to write: a line {"index","record","contributor","label","text"|"values"} a record, {"index","record","removed":true} for one moderation removed' },
		},
		run: fetchVersion,
	},
	register: {
		summary: 'register a model on a Datanet version, or on several',
		usage: '(--datanet ID --version V | --mix ID:V[:WEIGHT],...) --spec FILE|JSON [--fee OPEN] [--metadata TEXT]',
		options: {
			datanet: { type: 'string', help: 'the Datanet' },
			version: { type: 'string', help: 'its version' },
			mix: { type: 'string', help: 'several Datanet versions, each ID:VERSION or ID:VERSION:WEIGHT (the times its records count in training, default 1), in the order that places their records' },
			spec: { type: 'string', help: 'the ModelSpec as JSON, or a file of it, e.g. {"featurizer":"Raw","architecture":"SoftmaxRegression","epochs":20,"learningRate":100000000,"batchSize":32,"l2":0,"seed":1}; add "method":"Replay" to attribute its inferences by replay of its training (a few trainings a query) rather than the influence function' },
			fee: { type: 'string', default: '0', help: 'the fee per inference in OPEN (default 0)' },
			metadata: { type: 'string', default: '', help: 'free-form metadata' },
			...SIGNER,
		},
		run: register,
	},
	watch: {
		summary: 'follow a model\'s training until the attestors agree (exit 0) or fail it (exit 1)',
		usage: '--model ID [--timeout SECONDS]',
		options: {
			model: { type: 'string', help: 'the model' },
			timeout: { type: 'string', default: '600', help: 'give up after this many seconds (default 600)' },
		},
		run: watch,
	},
	flags: {
		summary: 'the records a trained model flagged for curators: the most suspect, and near-duplicates',
		usage: '--model ID',
		options: {
			model: { type: 'string', help: 'the model' },
		},
		run: flags,
	},
	agent: {
		summary: 'register an agent that calls a model',
		usage: '--model ID [--fee OPEN] [--metadata TEXT]',
		options: {
			model: { type: 'string', help: 'the model' },
			fee: { type: 'string', default: '0', help: 'the agent\'s own fee per inference in OPEN (at least the chain\'s minimum)' },
			metadata: { type: 'string', default: '', help: 'free-form metadata' },
			...SIGNER,
		},
		run: agent,
	},
	invoke: {
		summary: 'pay an agent for an inference and wait for its finalised attribution',
		usage: '--agent ID (--values V1,V2,… | --text TEXT) [--now] [--max-fee OPEN] [--timeout SECONDS]',
		options: {
			agent: { type: 'string', help: 'the agent' },
			values: { type: 'string', help: 'a Dense input: comma-separated values' },
			text: { type: 'string', help: 'a Text input' },
			now: {
				type: 'boolean',
				default: false,
				help: "have the node's attestor answer at once (attribution_answer), then judge the answer by the chain's result, reporting it if it differs",
			},
			'max-fee': { type: 'string', help: 'the most to pay in OPEN (default: the model\'s fee plus the agent\'s)' },
			timeout: { type: 'string', default: '300', help: 'give up waiting after this many seconds (default 300)' },
			...SIGNER,
		},
		run: invoke,
	},
	earnings: {
		summary: 'what an account has earned as a contributor: claimable, in total, and per record',
		usage: '[--account ADDRESS]',
		options: {
			account: { type: 'string', help: 'the account (default: the signer\'s)' },
			...SIGNER,
		},
		run: earnings,
	},
	payee: {
		summary: 'pay what the signer\'s records earn from now on to another account, or (--clear) to the signer again; what has accrued stays claimable by the signer',
		usage: '--to ADDRESS | --clear',
		options: {
			to: { type: 'string', help: 'the account to pay, for example a new wallet' },
			clear: { type: 'boolean', default: false, help: 'pay the signer again' },
			...SIGNER,
		},
		run: payee,
	},
	shares: {
		summary: 'split the owner share of a model or an agent the signer holds among accounts in fixed parts, or (--clear) take the whole share again; with neither, show the split',
		usage: '(--model N | --agent N) [--part ADDRESS=PARTS ... | --clear]',
		options: {
			model: ASSET.model,
			agent: ASSET.agent,
			part: { type: 'string', multiple: true, help: 'an account and its part, e.g. 5F...=3; repeat for each account (the first is paid the rounding\'s remainder)' },
			clear: { type: 'boolean', default: false, help: 'remove the split: the signer is paid the whole share' },
			...SIGNER,
		},
		run: shares,
	},
	settle: {
		summary: 'credit what a model\'s or an agent\'s revenue shares have earned to the claimable balances of their accounts (anyone may)',
		usage: '--model N | --agent N',
		options: { model: ASSET.model, agent: ASSET.agent, ...SIGNER },
		run: settle,
	},
	claim: {
		summary: 'pay out the signer\'s claimable rewards to its free balance',
		usage: '',
		options: { ...SIGNER },
		run: claim,
	},
	list: {
		summary: 'put a Datanet, model or agent the signer holds up for sale at a price (pallet-nfts), or (--unlist) take it off sale',
		usage: '(--datanet N | --model N | --agent N) (--price OPEN | --unlist)',
		options: {
			...ASSET,
			price: { type: 'string', help: 'the price, in OPEN' },
			unlist: { type: 'boolean', default: false, help: 'take it off sale' },
			...SIGNER,
		},
		run: list,
	},
	buy: {
		summary: 'buy a Datanet, model or agent that is for sale: the signer becomes its owner, and is paid its owner\'s part from then on',
		usage: '(--datanet N | --model N | --agent N) --price OPEN',
		options: {
			...ASSET,
			price: { type: 'string', help: 'the most to pay, in OPEN' },
			...SIGNER,
		},
		run: buy,
	},
	transfer: {
		summary: 'send OPEN to another account (the signer is kept above the existential deposit), or give it a Datanet, model or agent',
		usage: '--to ADDRESS (--amount OPEN | --datanet N | --model N | --agent N)',
		options: {
			to: { type: 'string', help: 'the receiving account' },
			amount: { type: 'string', help: 'how much, in OPEN' },
			...ASSET,
			...SIGNER,
		},
		run: transfer,
	},
};

function help(name) {
	if (!name) {
		const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
		return [
			'openledger: the command-line client of the OpenLedger chain',
			'',
			'usage: openledger <command> [options]    (openledger <command> --help for its options)',
			'',
			'commands:',
			...Object.entries(COMMANDS).map(([c, d]) => `  ${c.padEnd(width)}  ${d.summary}`),
			'',
			'common options:',
			...optionLines(COMMON),
			'',
			`exit status: ${Object.entries(EXIT).map(([k, v]) => `${v} ${k}`).join(', ')}`,
		].join('\n');
	}
	const c = COMMANDS[name];
	return [`openledger ${name}: ${c.summary}`, '', `usage: openledger ${name} ${c.usage}`, '', 'options:', ...optionLines({ ...c.options, ...COMMON })].join('\n');
}

function optionLines(options) {
	return Object.entries(options).map(([k, o]) => `  --${k}${o.type === 'string' ? ' VALUE' : ''}`.padEnd(24) + ` ${o.help}`);
}

/** `value` as an integer in 0..=max, or a usage error naming `what`. */
function int(value, what, max = 2 ** 32 - 1) {
	if (value === undefined) throw new Exit(EXIT.usage, `--${what} is required`);
	if (!/^\d+$/.test(value) || Number(value) > max) throw new Exit(EXIT.usage, `--${what} must be an integer from 0 to ${max}, not ${JSON.stringify(value)}`);
	return Number(value);
}

function open(value, what) {
	try {
		return parseOpen(value);
	} catch (e) {
		throw new Exit(EXIT.usage, `--${what}: ${e.message}`);
	}
}

/** Reads a password from the terminal without echo, or the first line of stdin when it is not a terminal. */
async function askPassword(prompt) {
	if (process.env.OPENLEDGER_PASSWORD !== undefined) return process.env.OPENLEDGER_PASSWORD;
	if (!process.stdin.isTTY) {
		const rl = createInterface({ input: process.stdin });
		for await (const line of rl) {
			rl.close();
			return line;
		}
		throw new Exit(EXIT.key, 'no password on stdin');
	}
	process.stderr.write(prompt);
	process.stdin.setRawMode(true);
	let password = '';
	try {
		for await (const chunk of process.stdin) {
			for (const ch of chunk.toString('utf8')) {
				if (ch === '\r' || ch === '\n') return password;
				if (ch === '\u0003') throw new Exit(EXIT.key, 'cancelled');
				password = ch === '\u007f' ? password.slice(0, -1) : password + ch;
			}
		}
		return password;
	} finally {
		process.stdin.setRawMode(false);
		process.stdin.pause();
		process.stderr.write('\n');
	}
}

async function signer(opts) {
	try {
		if (opts.keystore) return await fromKeystore(opts.keystore, await askPassword(`password for ${opts.keystore}: `));
		const suri = opts.suri ?? process.env.OPENLEDGER_SURI;
		if (suri) return await fromSuri(suri);
	} catch (e) {
		if (e instanceof KeyError) throw new Exit(EXIT.key, e.message);
		throw e;
	}
	throw new Exit(EXIT.usage, 'a signer is required: --suri or --keystore');
}

/** Progress on stderr: a bar that redraws on a terminal, a line per step otherwise. */
function progress(total, label) {
	const tty = process.stderr.isTTY;
	const start = Date.now();
	return {
		update(done, note = '') {
			const pct = total ? Math.floor((100 * done) / total) : 100;
			const secs = ((Date.now() - start) / 1000).toFixed(0);
			if (tty) {
				const width = 30;
				const filled = Math.round((width * pct) / 100);
				process.stderr.write(`\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} ${label} ${pct}% ${secs}s ${note}`.padEnd(100));
			} else {
				process.stderr.write(`${done}/${total} ${label} (${pct}%, ${secs} s)${note ? ` ${note}` : ''}\n`);
			}
		},
		end() {
			if (tty) process.stderr.write('\n');
		},
	};
}

// --- commands --------------------------------------------------------------------------------

async function create(ctx, o) {
	if (!o.name) throw new Exit(EXIT.usage, '--name is required');
	const m = /^dense:(\d+):(\d+):(\d+)$|^text:(\d+)$/.exec(o.schema ?? '');
	if (!m) throw new Exit(EXIT.usage, '--schema must be dense:DIMS:CLASSES:MAX_VALUE or text:CLASSES');
	const schema = m[4] ? { Text: { classes: Number(m[4]) } } : { Dense: { dims: Number(m[1]), classes: Number(m[2]), maxValue: Number(m[3]) } };
	const who = await signer(o);
	const datanet = await createDatanet(ctx.api, who, { name: o.name, description: o.description, license: o.license, schema, curated: o.curated });
	return { result: { datanet }, text: `Datanet ${datanet} created` };
}

async function contribute(ctx, o) {
	const datanet = int(o.datanet, 'datanet');
	if (!o.file) throw new Exit(EXIT.usage, '--file is required');
	if (o.format && !['csv', 'jsonl'].includes(o.format)) throw new Exit(EXIT.usage, '--format must be csv or jsonl');
	const most = ctx.api.consts.datanets.maxContributionBatch.toNumber();
	const batch = o.batch === undefined ? most : int(o.batch, 'batch', most);
	if (batch === 0) throw new Exit(EXIT.usage, '--batch must be at least 1');
	let schema;
	try {
		schema = await datanetSchema(ctx.api, datanet);
	} catch (e) {
		throw new Exit(EXIT.chain, e.message);
	}
	let read;
	try {
		read = readRecords(o.file, schema, o.format);
	} catch (e) {
		throw new Exit(EXIT.input, `${o.file}: ${e.message}`);
	}
	const { records, errors } = read;
	for (const e of errors.slice(0, 20)) process.stderr.write(`${o.file}: ${e.message}\n`);
	if (errors.length > 20) process.stderr.write(`${o.file}: and ${errors.length - 20} more invalid rows\n`);
	if (errors.length && !o['skip-invalid']) {
		throw new Exit(EXIT.input, `${o.file}: ${errors.length} invalid row${errors.length > 1 ? 's' : ''}; nothing was sent (fix them, or pass --skip-invalid)`);
	}
	const who = await signer(o);
	const onChain = await existingRecords(ctx.api, datanet, records.map((r) => r.hash));
	const todo = records.filter((r) => !onChain.has(r.hash));
	process.stderr.write(`${records.length} records in ${o.file}: ${onChain.size} already on chain, ${todo.length} to send in batches of ${batch}\n`);
	const bar = progress(todo.length, 'records');
	let accepted = 0;
	let sent = 0;
	for (let i = 0; i < todo.length; i += batch) {
		const part = todo.slice(i, i + batch);
		const lines = `lines ${part[0].line}–${part[part.length - 1].line}`;
		try {
			accepted += await contributeBatch(ctx.api, who, datanet, part);
		} catch (e) {
			throw new Exit(EXIT.chain, `${lines}: ${e.message}`);
		}
		sent += part.length;
		bar.update(sent, lines);
	}
	bar.end();
	const result = { datanet, inFile: records.length, invalid: errors.length, skipped: onChain.size, contributed: sent, accepted, pending: sent - accepted };
	return { result, text: `${sent} records contributed to Datanet ${datanet} (${accepted} accepted, ${sent - accepted} pending review); ${onChain.size} were already on chain` };
}

async function publish(ctx, o) {
	const datanet = int(o.datanet, 'datanet');
	const count = o.count === undefined ? undefined : int(o.count, 'count');
	const who = await signer(o);
	const result = { datanet, ...(await publishVersion(ctx.api, who, datanet, count)) };
	return { result, text: `Datanet ${datanet} version ${result.version}: ${result.count} records, root ${result.root}` };
}

async function fetchVersion(ctx, o) {
	const [datanet, number] = [int(o.datanet, 'datanet'), int(o.version, 'version')];
	if (o.out === undefined) throw new Exit(EXIT.usage, '--out is required');
	const version = await ctx.api.call.datanetsApi.version(datanet, number);
	if (version.isNone) throw new ChainError(`Datanet ${datanet} has no version ${number}`);
	const { count, root } = version.unwrap();
	const total = count.toNumber();
	const schema = (await ctx.api.call.datanetsApi.datanet(datanet)).unwrap().schema;
	const page = ctx.api.consts.datanets.maxPageSize.toNumber();
	const bar = progress(total, 'records');
	const lines = [];
	let chain = new Uint8Array(32);
	for (let start = 0; start < total; start += page) {
		const records = await ctx.api.call.datanetsApi.versionRecords(datanet, number, start, page);
		if (records.length === 0) throw new ChainError(`record ${start} of version ${number} is missing`);
		// Each payload read from the node's transaction index and checked against its record.
		const payloads = await payloadsOf(ctx.api, records);
		for (const [i, r] of records.entries()) {
			const base = { index: r.index.toNumber(), record: r.record.toHex() };
			chain = blake3(u8aConcat(chain, r.record.toU8a()));
			if (payloads[i] === null) {
				lines.push({ ...base, removed: true });
				continue;
			}
			const body = schema.isText ? { text: new TextDecoder().decode(payloads[i]) } : { values: [...payloads[i]] };
			lines.push({ ...base, contributor: r.contributor.toString(), label: r.label.toNumber(), ...body });
		}
		bar.update(lines.length);
	}
	bar.end();
	if (u8aToHex(chain) !== root.toHex()) throw new ChainError(`the records do not hash to version ${number}'s root ${root.toHex()}`);
	writeFileSync(o.out, lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
	const removed = lines.filter((l) => l.removed).length;
	const result = { datanet, version: number, records: lines.length, removed, root: root.toHex(), out: o.out };
	return { result, text: `Datanet ${datanet} version ${number}: ${lines.length} records (${removed} removed) checked against root ${root.toHex()}, written to ${o.out}` };
}

async function register(ctx, o) {
	if ((o.mix === undefined) === (o.datanet === undefined)) throw new Exit(EXIT.usage, 'give the model\'s data as --datanet and --version, or as --mix');
	let sources;
	if (o.mix !== undefined) {
		sources = o.mix.split(',').map((part) => {
			const m = /^(\d+):(\d+)(?::(\d+))?$/.exec(part.trim());
			if (!m) throw new Exit(EXIT.usage, `--mix: "${part}" is not ID:VERSION or ID:VERSION:WEIGHT`);
			return { datanet: Number(m[1]), version: Number(m[2]), weight: m[3] === undefined ? 1 : Number(m[3]) };
		});
	} else {
		sources = [{ datanet: int(o.datanet, 'datanet'), version: int(o.version, 'version'), weight: 1 }];
	}
	if (!o.spec) throw new Exit(EXIT.usage, '--spec is required');
	let spec;
	try {
		spec = modelSpec(ctx.api, JSON.parse(o.spec.trim().startsWith('{') ? o.spec : readFileSync(o.spec, 'utf8')));
	} catch (e) {
		throw new Exit(EXIT.usage, `--spec: ${e.message}`);
	}
	const who = await signer(o);
	const on = o.mix === undefined ? { datanet: sources[0].datanet, version: sources[0].version } : { mix: sources };
	const model = await registerModel(ctx.api, who, { ...on, spec, fee: open(o.fee, 'fee'), metadata: o.metadata });
	return { result: { model, sources }, text: `model ${model} registered on ${describeSources(sources)}; the attestors train it now (openledger watch --model ${model})` };
}

async function watch(ctx, o) {
	const model = int(o.model, 'model');
	const timeout = int(o.timeout, 'timeout') * 1000;
	const first = await modelStatus(ctx.api, model);
	if (!first) throw new Exit(EXIT.chain, `model ${model} does not exist`);
	const final = await waitForModel(ctx.api, model, {
		timeoutMs: timeout,
		onStatus: (status, number) => process.stderr.write(`#${number}: model ${model} ${status}\n`),
	});
	const result = { model, status: final.status };
	if (final.status === 'Active') {
		const training = await ctx.api.call.attributionApi.training(model);
		Object.assign(result, { accuracy: final.accuracy, weightsHash: final.weightsHash });
		if (training.isSome) Object.assign(result, { agreement: training.unwrap().agreement.toNumber(), submissions: training.unwrap().submissions.toNumber() });
		return { result, text: `model ${model} Active: held-out accuracy ${(100 * final.accuracy).toFixed(1)}%, weights ${final.weightsHash}${result.agreement ? `, ${result.agreement} of ${result.submissions} attestors agreed` : ''}` };
	}
	return { result, text: `model ${model} ${final.status}`, status: EXIT.chain };
}

async function flags(ctx, o) {
	const model = int(o.model, 'model');
	const f = await qualityFlags(ctx.api, model);
	if (!f) {
		const info = await ctx.api.call.modelsApi.model(model);
		if (info.isSome && info.unwrap().status.isActive) {
			const retention = (await ctx.api.query.attribution.consensusParams()).retention.toNumber();
			throw new Exit(EXIT.chain, `model ${model}'s quality flags were pruned: a training's record is kept for ${retention} blocks`);
		}
		throw new Exit(EXIT.chain, `model ${model} does not exist or is not trained`);
	}
	const several = f.sources.length > 1;
	const where = (r) => (several ? `Datanet ${r.datanet} ` : '');
	const who = (r) => `${where(r)}record ${r.index} (label ${r.label}, ${r.contributor}${r.removed ? ', removed' : ''}) ${r.hash}`;
	const lines = [
		`model ${model}, ${describeSources(f.sources)}: ${f.suspects.length} suspect, ${f.duplicates.length} near-duplicate`,
		...f.suspects.map((r, i) => `  suspect ${i + 1}: ${who(r)}`),
		...f.duplicates.map((r) => `  near-duplicate: ${who(r)} of ${where(r.of)}record ${r.of.index}`),
	];
	if (f.suspects.length + f.duplicates.length) {
		lines.push(`moderation removes a record with datanets.remove(${several ? 'DATANET' : f.datanet}, HASH), on the moderator track`);
	}
	// Payloads as hex in JSON (a Uint8Array would print as an object of indices).
	const hexed = (r) => ({ ...r, payload: r.payload && u8aToHex(r.payload) });
	const result = { ...f, suspects: f.suspects.map(hexed), duplicates: f.duplicates.map((r) => ({ ...hexed(r), of: hexed(r.of) })) };
	return { result, text: lines.join('\n') };
}

async function agent(ctx, o) {
	const model = int(o.model, 'model');
	const who = await signer(o);
	const id = await registerAgent(ctx.api, who, { model, fee: open(o.fee, 'fee'), metadata: o.metadata });
	return { result: { agent: id }, text: `agent ${id} registered on model ${model}` };
}

async function invoke(ctx, o) {
	const id = int(o.agent, 'agent');
	if ((o.values === undefined) === (o.text === undefined)) throw new Exit(EXIT.usage, 'give the input as --values or as --text');
	const info = await ctx.api.call.agentsApi.agent(id);
	if (info.isNone) throw new Exit(EXIT.chain, `agent ${id} does not exist`);
	const a = info.unwrap();
	const model = (await ctx.api.call.modelsApi.model(a.model)).unwrap();
	const sources = sourcesOf(model);
	// Every source has the first one's schema.
	const schema = await datanetSchema(ctx.api, sources[0].datanet);
	let input;
	try {
		input = toRecord(schema, 1, 0, o.values !== undefined ? o.values.split(',') : o.text).payload;
	} catch (e) {
		throw new Exit(EXIT.usage, `the input does not fit Datanet ${sources[0].datanet}: ${e.message.replace(/^line 1: /, '')}`);
	}
	const maxFee = o['max-fee'] === undefined ? model.fee.toBigInt() + a.fee.toBigInt() : open(o['max-fee'], 'max-fee');
	const timeout = int(o.timeout, 'timeout') * 1000;
	const who = await signer(o);
	let paid;
	let early;
	if (o.now) {
		// The answer first, on stdout at once; then the same wait for the chain's.
		early = await invokeNow(ctx.api, who, { agent: id, input: u8aToHex(input), maxFee });
		const said = describeOutcome(early.outcome);
		if (!o.json) process.stdout.write(`answer from attestor ${early.answer.attestor}: ${said} (outcome ${early.answer.outcomeHash.toHex()})\n`);
		paid = await invokedBy(ctx.api, early.answer.extrinsic.toHex(), { from: early.from, timeoutMs: timeout });
	} else {
		paid = await invokeAgent(ctx.api, who, { agent: id, input: u8aToHex(input), maxFee });
	}
	const { inference } = paid;
	process.stderr.write(`inference ${inference} paid (${formatOpen(paid.fee)} OPEN) in block ${paid.block}; waiting for the attestors\n`);
	const inf = await waitForInference(ctx.api, paid, { timeoutMs: timeout });
	if (inf.status.isRefunded) return { result: { inference, status: 'Refunded' }, text: `inference ${inference} refunded: the attestors did not answer in time`, status: EXIT.chain };
	let judged = {};
	if (early) {
		const j = await judgeAnswer(ctx.api, who, inference, early.answer);
		judged = { answer: { attestor: early.answer.attestor.toString(), outcomeHash: early.answer.outcomeHash.toHex(), ...j } };
	}
	const answer = inf.status.asCompleted;
	const shares = [];
	for (const s of inf.shares) {
		const at = await sharedRecord(ctx.api, sources, s.record.toNumber());
		shares.push({ record: s.record.toNumber(), datanet: at?.datanet, index: at?.index, hash: at?.rec.record.toHex(), contributor: at?.rec.contributor.toString(), share: s.share.toNumber() / 1e9 });
	}
	const result = { inference, status: 'Completed', ...inferenceAnswer(answer, inf.generation), block: inf.completed.unwrap().toNumber(), agreeing: inf.agreeing.length, shares, ...judged };
	let what = `label ${result.label}`;
	if (result.continuation !== undefined) what = `continuation ${JSON.stringify(result.continuation)}`;
	if (result.trace !== undefined) what = `a trace of ${result.trace.spans} spans over ${result.trace.tokens} tokens`;
	const confidence = result.confidence === undefined ? '' : ` (${(100 * result.confidence).toFixed(1)}%)`;
	const lines = shares.map((s) => `  ${sources.length > 1 ? `Datanet ${s.datanet} record ${s.index}` : `record ${s.record}`} ${(100 * s.share).toFixed(2)}% ${s.contributor}`);
	if (judged.answer) {
		lines.push(
			judged.answer.matches
				? "the attestor's early answer is the chain's result"
				: `the attestor's early answer was not the chain's result (${judged.answer.decided}): reported, it is struck and slashed`,
		);
	}
	return { result, text: [`inference ${inference}: ${what}${confidence}, agreed by ${result.agreeing} attestors in block ${result.block}`, ...lines].join('\n') };
}

/** An early answer's outcome (`attribution.reveal`'s argument) in words. */
function describeOutcome(outcome) {
	const shares = (list) => `${list.length} records`;
	if (outcome.isInfer) {
		const o = outcome.asInfer;
		return `label ${o.label.toNumber()} (${(o.confidence.toNumber() / 1e7).toFixed(1)}%), ${shares(o.shares)}`;
	}
	if (outcome.isGenerate) return `continuation ${JSON.stringify(outcome.asGenerate.generation.text.toUtf8())}, ${shares(outcome.asGenerate.shares)}`;
	const t = outcome.asTrace;
	return `a trace of ${t.trace.spans.length} spans over ${t.trace.tokens.toNumber()} tokens, ${shares(t.shares)}`;
}

async function earnings(ctx, o) {
	const account = o.account ?? (await signer(o)).address;
	let e;
	try {
		e = await contributorEarnings(ctx.api, account);
	} catch (err) {
		throw new Exit(EXIT.usage, `--account: ${err.message}`);
	}
	const result = {
		account,
		claimable: e.claimable.toString(),
		total: e.total.toString(),
		payee: e.payee,
		records: e.records.map((r) => ({ ...r, earned: r.earned.toString() })),
	};
	const lines = e.records.map((r) => `  Datanet ${r.datanet} record ${r.index} (label ${r.label}): ${formatOpen(r.earned)} OPEN`);
	const paid = e.payee ? [`  its records pay ${e.payee} from now on`] : [];
	return { result, text: [`${account}: ${formatOpen(e.claimable)} OPEN claimable, ${formatOpen(e.total)} OPEN earned in total as a contributor (by attribution and emission)`, ...paid, ...lines].join('\n') };
}

async function payee(ctx, o) {
	if (!o.to === !o.clear) throw new Exit(EXIT.usage, 'give one of --to and --clear');
	const to = o.to ? address(ctx, o.to, 'to') : null;
	const who = await signer(o);
	const set = await setPayee(ctx.api, who, to);
	return { result: { account: who.address, payee: set }, text: set ? `${who.address}'s records pay ${set} from now on` : `${who.address}'s records pay ${who.address} again` };
}

/** The model or agent that --model or --agent names, whose owner share can be split. */
function ownedAsset(o) {
	const asset = assetOf(o);
	if (!asset) throw new Exit(EXIT.usage, 'name the asset: --model or --agent');
	return asset;
}

function describeShares(kind, id, split) {
	if (!split) return `${kind} ${id}: no revenue shares; its holder is paid the whole owner share`;
	const total = split.parts.reduce((a, p) => a + p.part, 0);
	const state = split.inForce ? 'in force' : `not in force: ${split.holder} no longer holds it`;
	return [
		`${kind} ${id}: revenue shares set by ${split.holder} (${state}), ${formatOpen(split.pending)} OPEN to settle`,
		...split.parts.map((p) => `  ${p.account}: ${p.part}/${total}`),
	].join('\n');
}

async function shares(ctx, o) {
	const { kind, id } = ownedAsset(o);
	if (o.part && o.clear) throw new Exit(EXIT.usage, 'give --part or --clear, not both');
	if (!o.part && !o.clear) {
		const split = await revenueShares(ctx.api, kind, id);
		const result = split && { ...split, pending: split.pending.toString() };
		return { result: { kind, id, shares: result }, text: describeShares(kind, id, split) };
	}
	const parts = (o.part ?? []).map((p) => {
		const at = p.lastIndexOf('=');
		const part = Number(p.slice(at + 1));
		if (at < 1 || !Number.isInteger(part) || part < 1 || part > 0xffffffff) throw new Exit(EXIT.usage, `--part: not ADDRESS=PARTS with PARTS a whole number above 0: ${p}`);
		return { account: address(ctx, p.slice(0, at), 'part'), part };
	});
	const who = await signer(o);
	const set = await setRevenueShares(ctx.api, who, kind, id, parts);
	const split = await revenueShares(ctx.api, kind, id);
	return { result: { kind, id, holder: who.address, parts: set }, text: describeShares(kind, id, split) };
}

async function settle(ctx, o) {
	const { kind, id } = ownedAsset(o);
	const who = await signer(o);
	const amount = await settleRevenue(ctx.api, who, kind, id);
	return { result: { kind, id, amount: amount.toString() }, text: `${formatOpen(amount)} OPEN of ${kind} ${id}'s revenue credited to its shareholders` };
}

async function claim(ctx, o) {
	const who = await signer(o);
	const amount = await claimRewards(ctx.api, who);
	return { result: { account: who.address, amount: amount.toString() }, text: `${formatOpen(amount)} OPEN claimed to ${who.address}` };
}

/** The asset that --datanet, --model or --agent names: { kind, id }, or undefined if none does. */
function assetOf(o) {
	const named = ['datanet', 'model', 'agent'].filter((kind) => o[kind] !== undefined);
	if (named.length === 0) return undefined;
	if (named.length > 1) throw new Exit(EXIT.usage, 'name one of --datanet, --model and --agent');
	const [kind] = named;
	const id = Number(o[kind]);
	if (!Number.isInteger(id) || id < 0 || id > 0xffffffff) throw new Exit(EXIT.usage, `--${kind}: not an id: ${o[kind]}`);
	return { kind, id };
}

/** The asset an option names, which must exist. */
async function heldAsset(ctx, o) {
	const asset = assetOf(o);
	if (!asset) throw new Exit(EXIT.usage, 'name the asset: --datanet, --model or --agent');
	const holding = await assetHolding(ctx.api, asset.kind, asset.id);
	if (!holding) throw new Exit(EXIT.usage, `${asset.kind} ${asset.id} does not exist`);
	return { ...asset, holding };
}

function address(ctx, value, what) {
	try {
		return ctx.api.createType('AccountId32', value).toString();
	} catch (e) {
		throw new Exit(EXIT.usage, `--${what}: ${e.message}`);
	}
}

async function list(ctx, o) {
	if (o.price === undefined === !o.unlist) throw new Exit(EXIT.usage, 'give one of --price and --unlist');
	const { kind, id } = await heldAsset(ctx, o);
	const price = o.unlist ? null : open(o.price, 'price');
	const who = await signer(o);
	await listAsset(ctx.api, who, kind, id, price);
	const text = price === null ? `${kind} ${id} is no longer for sale` : `${kind} ${id} is for sale at ${formatOpen(price)} OPEN`;
	return { result: { kind, id, price: price?.toString() ?? null }, text };
}

async function buy(ctx, o) {
	const { kind, id, holding } = await heldAsset(ctx, o);
	if (o.price === undefined) throw new Exit(EXIT.usage, '--price is required: the most to pay');
	const bid = open(o.price, 'price');
	if (holding.price === null) throw new Exit(EXIT.usage, `${kind} ${id} is not for sale`);
	const who = await signer(o);
	const paid = await buyAsset(ctx.api, who, kind, id, bid);
	return { result: { kind, id, owner: who.address, seller: holding.owner, price: paid.toString() }, text: `${who.address} bought ${kind} ${id} from ${holding.owner} for ${formatOpen(paid)} OPEN` };
}

async function transfer(ctx, o) {
	if (!o.to) throw new Exit(EXIT.usage, '--to is required');
	const to = address(ctx, o.to, 'to');
	const asset = assetOf(o);
	if (asset && o.amount !== undefined) throw new Exit(EXIT.usage, 'give --amount or an asset, not both');
	if (asset) {
		const { kind, id } = await heldAsset(ctx, o);
		const who = await signer(o);
		await transferAsset(ctx.api, who, kind, id, to);
		return { result: { kind, id, from: who.address, to }, text: `${kind} ${id} given to ${to}` };
	}
	if (o.amount === undefined) throw new Exit(EXIT.usage, '--amount is required');
	const amount = open(o.amount, 'amount');
	const who = await signer(o);
	const fee = await transferOpen(ctx.api, who, to, amount);
	return { result: { from: who.address, to, amount: amount.toString(), fee: fee?.toString() }, text: `${formatOpen(amount)} OPEN sent to ${to} (fee ${formatOpen(fee ?? 0n)} OPEN)` };
}

// --- main ------------------------------------------------------------------------------------

async function main(argv) {
	const [name, ...rest] = argv;
	if (!name || name === '--help' || name === '-h' || name === 'help') {
		process.stdout.write(`${help(rest[0] in COMMANDS ? rest[0] : undefined)}\n`);
		return name ? EXIT.ok : EXIT.usage;
	}
	const command = COMMANDS[name];
	if (!command) throw new Exit(EXIT.usage, `unknown command ${JSON.stringify(name)}; openledger --help lists them`);
	let values;
	try {
		// parseArgs wants only its own keys, and none undefined.
		const options = Object.fromEntries(
			Object.entries({ ...command.options, ...COMMON }).map(([k, { help: _, ...o }]) => [k, o]),
		);
		({ values } = parseArgs({ args: rest, options, strict: true, allowPositionals: false }));
	} catch (e) {
		throw new Exit(EXIT.usage, `${e.message}; openledger ${name} --help lists the options`);
	}
	if (values.help) {
		process.stdout.write(`${help(name)}\n`);
		return EXIT.ok;
	}
	let api;
	try {
		api = await connect(values.url);
	} catch (e) {
		throw new Exit(EXIT.connection, e.message);
	}
	try {
		const { result, text, status = EXIT.ok } = await command.run({ api }, values);
		process.stdout.write(`${values.json ? JSON.stringify(result) : text}\n`);
		return status;
	} finally {
		await api.disconnect().catch(() => {});
	}
}

main(process.argv.slice(2)).then(
	(status) => process.exit(status),
	(e) => {
		process.stderr.write(`openledger: ${e instanceof Exit || e instanceof ChainError ? e.message : e.stack}\n`);
		process.exit(e instanceof Exit ? e.status : EXIT.chain);
	},
);
