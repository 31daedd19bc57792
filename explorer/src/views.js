// The explorer's pages. Each takes the context ({ api, best, signers }), the route's parameters
// and its query, reads the chain at the best block through the runtime APIs, and returns HTML.

import {
	ASSET_COLLECTIONS,
	assetHolding,
	contributorEarnings,
	datanetFlags,
	datanetSchema,
	inferenceAnswer,
	locate,
	ownerHistory,
	payloadsOf,
	qualityFlags,
	recordPayload,
	revenueShares,
	schemaOf,
	sharedRecord,
	sourcesOf,
} from '@openledger/client';

import { cumulativeChart } from './chart.js';
import { account, hash, open, payload, percent, schema as schemaLine, status, text } from './format.js';
import { html } from './html.js';

const some = (opt) => (opt.isSome ? opt.unwrap() : undefined);
const PAGE = 25;

function pager(base, page, hasMore) {
	return html`<div class="pager">
		${page > 0 ? html`<a href="${base}?page=${page - 1}" data-testid="prev">← previous</a>` : ''}
		<span>page ${page + 1}</span>
		${hasMore ? html`<a href="${base}?page=${page + 1}" data-testid="next">next →</a>` : ''}
	</div>`;
}

// --- home ------------------------------------------------------------------------------------

export async function home({ api }) {
	const [datanets, models, agents, inferences] = await Promise.all([
		api.query.datanets.nextDatanetId(),
		api.query.models.nextModelId(),
		api.query.agents.nextAgentId(),
		api.query.agents.nextInferenceId(),
	]);
	const recent = await recentInferences(api, inferences.toNumber(), 10);
	return html`<h1>${(await api.rpc.system.chain()).toString()}</h1>
		<div class="cards">
			<a class="card" href="#/datanets">Datanets<b data-testid="count-datanets">${datanets.toNumber()}</b></a>
			<a class="card" href="#/models">Models<b data-testid="count-models">${models.toNumber()}</b></a>
			<div class="card">Agents<b>${agents.toNumber()}</b></div>
			<a class="card" href="#/inferences">Inferences<b data-testid="count-inferences">${inferences.toNumber()}</b></a>
		</div>
		<h2>Latest inferences</h2>
		${inferenceTable(recent)}`;
}

// --- Datanets --------------------------------------------------------------------------------

export async function datanets({ api }) {
	const n = (await api.query.datanets.nextDatanetId()).toNumber();
	const rows = [];
	for (let id = n - 1; id >= 0; id--) {
		const info = some(await api.call.datanetsApi.datanet(id));
		if (!info) continue;
		const s = schemaOf(info.schema, api.consts.datanets.maxPayloadLen.toNumber());
		rows.push(html`<tr>
			<td><a href="#/datanet/${id}">${id}</a></td><td><a href="#/datanet/${id}">${text(info.name)}</a></td>
			<td>${schemaLine(s)}</td><td>${info.policy.type}</td>
			<td class="num">${info.accepted.toNumber()}</td><td class="num">${info.pending.toNumber()}</td><td class="num">${info.versions.toNumber()}</td>
		</tr>`);
	}
	return html`<h1>Datanets</h1>
		<table data-testid="datanets"><tr><th>id</th><th>name</th><th>schema</th><th>policy</th><th class="num">accepted</th><th class="num">pending</th><th class="num">versions</th></tr>${rows}</table>`;
}

export async function datanet({ api }, [id], query) {
	const info = some(await api.call.datanetsApi.datanet(id));
	if (!info) return html`<h1>Datanet ${id}</h1><p class="error">No Datanet ${id}.</p>`;
	const s = schemaOf(info.schema, api.consts.datanets.maxPayloadLen.toNumber());
	const versions = [];
	for (let v = info.versions.toNumber(); v >= 1; v--) {
		const ver = some(await api.call.datanetsApi.version(id, v));
		if (ver) versions.push({ v, count: ver.count.toNumber(), root: ver.root.toHex(), block: ver.block.toNumber() });
	}
	const version = Number(query.get('version') ?? versions[0]?.v ?? 0);
	const page = Number(query.get('page') ?? 0);
	let records = html`<p class="note">No version published yet: records are listed by version.</p>`;
	if (version > 0) {
		const got = await api.call.datanetsApi.versionRecords(id, version, page * PAGE, PAGE + 1);
		// From the node's transaction index, each checked against its record.
		const bytes = await payloadsOf(api, got.slice(0, PAGE));
		const flagged = flagsByRecord((await datanetFlags(api, id)).filter((f) => f.version === version));
		const rows = got.slice(0, PAGE).map(
			(r, i) => html`<tr data-testid="record-row" data-index="${r.index.toNumber()}" data-hash="${r.record.toHex()}">
				<td class="num">${r.index.toNumber()}</td><td>${hash(r.record.toHex())}</td><td>${account(r.contributor.toString())}</td>
				<td class="num" data-testid="record-label">${r.label.toNumber()}</td>
				<td>${r.removedAt.isSome ? status('Removed') : status('Accepted')}</td>
				<td data-testid="record-flag">${(flagged.get(r.index.toNumber()) ?? []).map((f) => html`<span class="status warn">${f}</span> `)}</td>
				<td>${payload(s, bytes[i])}</td>
			</tr>`,
		);
		records = html`<h2>Records of version ${version}</h2>
			<table data-testid="records"><tr><th class="num">#</th><th>hash</th><th>contributor</th><th class="num">label</th><th>status</th><th>quality flag</th><th>payload</th></tr>${rows}</table>
			${pager(`#/datanet/${id}`, page, got.length > PAGE)}`;
	}
	return html`<h1>Datanet ${id}: ${text(info.name)}</h1>
		<dl data-testid="datanet">
			<dt>owner</dt><dd data-testid="datanet-owner" data-owner="${info.owner.toString()}">${account(info.owner.toString())}</dd>
			${await forSale(api, 'datanet', id)}
			<dt>description</dt><dd>${text(info.description)}</dd>
			<dt>license</dt><dd>${text(info.license)}</dd>
			<dt>schema</dt><dd data-testid="schema">${schemaLine(s)}</dd>
			<dt>policy</dt><dd>${info.policy.type} ${info.policy.isCurated ? html`(<a href="#/datanet/${id}/curate" data-testid="curate-link">curator view: ${info.pending.toNumber()} pending</a>)` : ''}</dd>
			<dt>accepted</dt><dd data-testid="accepted">${info.accepted.toNumber()}</dd>
			<dt>pending</dt><dd>${info.pending.toNumber()}</dd>
			<dt>root</dt><dd>${hash(info.root.toHex())}</dd>
			<dt>deposit</dt><dd>${open(info.deposit.toBigInt())}</dd>
		</dl>
		<h2>Versions</h2>
		<table data-testid="versions"><tr><th class="num">version</th><th class="num">records</th><th>root</th><th class="num">block</th></tr>
		${versions.map((v) => html`<tr><td class="num"><a href="#/datanet/${id}?version=${v.v}">${v.v}</a></td><td class="num">${v.count}</td><td>${hash(v.root)}</td><td class="num">${v.block}</td></tr>`)}</table>
		${await owners(api, 'datanet', id, info.owner.toString())}
		${records}`;
}

/** Record position → the flags the models of a version put on it, as short texts. */
function flagsByRecord(list) {
	const out = new Map();
	const add = (index, text) => out.set(index, [...(out.get(index) ?? []), text]);
	for (const f of list) {
		f.suspects.forEach((r, i) => add(r.index, `suspect #${i + 1} (model ${f.model})`));
		for (const r of f.duplicates) add(r.index, `near-duplicate of ${r.of.index} (model ${f.model})`);
	}
	return out;
}

/** The flagged records of a version (`qualityFlags`, which read them), as table rows. */
function flaggedRows(f, s) {
	const row = (kind, r, note) => html`<tr data-testid="flagged-row" data-kind="${kind}" data-model="${f.model}" data-record="${r.index}">
		<td>${kind}</td><td class="num">${r.index}</td><td>${note}</td><td>${account(r.contributor)}</td><td class="num">${r.label}</td>
		<td>${r.removed ? status('Removed') : hash(r.hash)}</td><td>${payload(s, r.payload)}</td></tr>`;
	return [
		...f.suspects.map((r, i) => row('suspect', r, `#${i + 1} by self-influence`)),
		...f.duplicates.map((r) => row('near-duplicate', r, html`of record ${r.of.index}`)),
	];
}

const FLAGS_HEAD = html`<tr><th>flag</th><th class="num">record</th><th></th><th>contributor</th><th class="num">label</th><th>hash</th><th>payload</th></tr>`;
const MODERATION = html`<p class="note">Moderation removes a record with <code>datanets.remove(datanet, hash)</code>, through a referendum on the moderator track; the record keeps its place in its versions, without its payload.</p>`;

/** The curator view: the records waiting for review, with accept and reject for a curator. */
export async function curate({ api, signers }, [id]) {
	const info = some(await api.call.datanetsApi.datanet(id));
	if (!info) return html`<h1>Datanet ${id}</h1><p class="error">No Datanet ${id}.</p>`;
	const s = schemaOf(info.schema, api.consts.datanets.maxPayloadLen.toNumber());
	const entries = await api.query.datanets.records.entries(id);
	const pending = entries.map(([key, rec]) => ({ hash: key.args[1].toHex(), rec: rec.unwrap() })).filter(({ rec }) => rec.status.isPending);
	const owner = info.owner.toString();
	const curator = signers.find((sg) => sg.address === owner) ?? (await firstCurator(api, id, signers));
	// Pending records of one batch share its indexed bytes: fetched once.
	const fetched = new Map();
	const rows = await Promise.all(
		pending.map(async ({ hash: h, rec }) => {
			const bytes = await recordPayload(api, id, h, fetched);
			return html`<tr data-testid="pending-row" data-hash="${h}">
				<td>${hash(h)}</td><td>${account(rec.contributor.toString())}</td><td class="num">${rec.label.toNumber()}</td>
				<td>${payload(s, bytes ?? null)}</td>
				<td>${curator ? html`<button data-action="review" data-datanet="${id}" data-record="${h}" data-accept="1" data-signer="${curator.address}">accept</button>
					<button class="secondary" data-action="review" data-datanet="${id}" data-record="${h}" data-accept="0" data-signer="${curator.address}">reject</button>` : html`<span class="note">sign in as a curator to review</span>`}</td>
			</tr>`;
		}),
	);
	const flags = await datanetFlags(api, id);
	const flagged = await Promise.all(
		flags.map(async (f) => html`<h2>Flagged by model <a href="#/model/${f.model}">${f.model}</a> (version ${f.version})</h2>
			<table data-testid="flagged">${FLAGS_HEAD}${flaggedRows(f, s)}</table>`),
	);
	return html`<h1>Datanet ${id}: curator view</h1>
		<p><a href="#/datanet/${id}">← ${text(info.name)}</a> · ${pending.length} pending record${pending.length === 1 ? '' : 's'}</p>
		<h2>Pending review</h2>
		<table data-testid="pending"><tr><th>hash</th><th>contributor</th><th class="num">label</th><th>payload</th><th>review</th></tr>${rows}</table>
		${flags.length ? html`${flagged}${MODERATION}` : html`<p class="note">No trained model of this Datanet has flagged records yet.</p>`}`;
}

async function firstCurator(api, id, signers) {
	for (const sg of signers) {
		if ((await api.query.datanets.curators(id, sg.address)).isSome) return sg;
	}
	return undefined;
}

// --- models ----------------------------------------------------------------------------------

/** Whether a model is an ∞-gram language model (no held-out accuracy: it holds nothing out). */
const generates = (spec) => spec.architecture.isInfiniGram;

function modelStatusCell(s, spec) {
	if (s.isActive && generates(spec)) return html`${status('Active')} ∞-gram`;
	if (s.isActive) return html`${status('Active')} ${percent(s.asActive.accuracy.toNumber(), 1)}`;
	return status(s.type);
}

/** A model's sources as links to their versions, with their weights. */
function sourceLinks(sources) {
	return sources.map(
		(src, i) => html`${i ? ', ' : ''}<a href="#/datanet/${src.datanet}?version=${src.version}">${src.datanet}</a> v${src.version}${src.weight > 1 ? ` ×${src.weight}` : ''}`,
	);
}

export async function models({ api }) {
	const n = (await api.query.models.nextModelId()).toNumber();
	const rows = [];
	for (let id = n - 1; id >= 0; id--) {
		const m = some(await api.call.modelsApi.model(id));
		if (!m) continue;
		rows.push(html`<tr><td><a href="#/model/${id}">${id}</a></td><td data-testid="model-sources">${sourceLinks(sourcesOf(m))}</td>
			<td>${m.spec.architecture.type}</td><td>${modelStatusCell(m.status, m.spec)}</td><td>${open(m.fee.toBigInt())}</td><td>${account(m.owner.toString())}</td></tr>`);
	}
	return html`<h1>Models</h1><table data-testid="models"><tr><th>id</th><th>Datanet</th><th>architecture</th><th>status</th><th>fee</th><th>owner</th></tr>${rows}</table>`;
}

export async function model({ api }, [id]) {
	const m = some(await api.call.modelsApi.model(id));
	if (!m) return html`<h1>Model ${id}</h1><p class="error">No model ${id}.</p>`;
	const training = some(await api.call.attributionApi.training(id));
	const flags = training && (await qualityFlags(api, id));
	const sources = sourcesOf(m);
	// Every source has the first one's schema.
	const s = await datanetSchema(api, sources[0].datanet);
	const openJob = some(await api.query.attribution.trainingJobs(id));
	const job = openJob === undefined ? undefined : some(await api.query.attribution.jobs(openJob));
	const spec = m.spec.toJSON();
	return html`<h1>Model ${id}</h1>
		<dl data-testid="model">
			<dt>status</dt><dd data-testid="model-status">${status(m.status.type)}</dd>
			${m.status.isActive ? html`${generates(m.spec) ? html`<dt>model</dt><dd>∞-gram language model: its index hash is agreed like a weights hash; it holds no records out</dd>` : html`<dt>held-out accuracy</dt><dd data-testid="model-accuracy">${percent(m.status.asActive.accuracy.toNumber(), 1)}</dd>`}
				<dt>agreed weights hash</dt><dd><code data-testid="weights-hash">${m.status.asActive.weightsHash.toHex()}</code></dd>` : ''}
			<dt>${sources.length > 1 ? 'Datanets (version, weight)' : 'Datanet'}</dt><dd data-testid="model-sources">${sourceLinks(sources)}</dd>
			<dt>owner</dt><dd data-testid="model-owner" data-owner="${m.owner.toString()}">${account(m.owner.toString())}</dd>
			${await revenueSplit(api, 'model', id)}
			${await forSale(api, 'model', id)}
			<dt>fee per inference</dt><dd>${open(m.fee.toBigInt())}</dd>
			<dt>deposit</dt><dd>${open(m.deposit.toBigInt())}</dd>
			<dt>metadata</dt><dd>${text(m.metadata)}</dd>
		</dl>
		${await owners(api, 'model', id, m.owner.toString())}
		<h2>Spec</h2>
		<dl data-testid="spec">${Object.entries(spec).map(([k, v]) => html`<dt>${k}</dt><dd><code>${typeof v === 'object' ? JSON.stringify(v) : v}</code></dd>`)}</dl>
		<h2>Attestors</h2>
		${
			training
				? html`<dl data-testid="training"><dt>agreement</dt><dd data-testid="agreement">${training.agreement.toNumber()} of ${training.submissions.toNumber()} reveals</dd>
					<dt>engine version</dt><dd>${training.engineVersion.toNumber()}</dd></dl>`
				: m.status.isActive
					? html`<p class="note" data-testid="training-pruned">The training's record and quality flags were pruned: they are kept for ${(await api.query.attribution.consensusParams()).retention.toNumber()} blocks.</p>`
					: ''
		}
		${
			flags
				? html`<h2>Quality flags</h2>
					<p class="note">What the winning outcome flagged for curators, agreed with the weights: the ${flags.suspects.length} training records of highest self-influence (mislabelled records rank high), and ${flags.duplicates.length} near-duplicate${flags.duplicates.length === 1 ? '' : 's'} of earlier records. <a href="#/datanet/${flags.datanet}/curate">Curator view</a>.</p>
					<table data-testid="model-flags">${FLAGS_HEAD}${flaggedRows(flags, s)}</table>`
				: ''
		}
		${
			job
				? html`<p>Training job ${openJob.toNumber()}: ${job.revealing.isTrue ? 'revealing' : 'committing'} until block ${job.deadline.toNumber()}, ${job.commits.toNumber()} commits, ${job.reveals.toNumber()} reveals.</p>
					<p>Committee: ${job.committee.map((a) => html`${account(a.toString())} `)}</p>`
				: ''
		}`;
}

// --- inferences ------------------------------------------------------------------------------

async function recentInferences(api, next, count) {
	const out = [];
	for (let id = next - 1; id >= 0 && out.length < count; id--) {
		const inf = some(await api.call.attributionApi.inference(id));
		if (inf) out.push({ id, inf });
	}
	return out;
}

/** A completed inference's answer in a table cell: its label, or that it is a continuation or a
 * trace. */
const answerText = (answer) => (answer.label !== undefined ? `label ${answer.label}` : answer.trace ? 'trace' : 'continuation');

function inferenceTable(list) {
	if (list.length === 0) return html`<p class="note">No inferences yet.</p>`;
	return html`<table data-testid="inferences"><tr><th>id</th><th>model</th><th>status</th><th>answer</th><th>fee</th><th class="num">requested</th><th class="num">records</th></tr>
	${list.map(
		({ id, inf }) => html`<tr><td><a href="#/inference/${id}">${id}</a></td><td><a href="#/model/${inf.model.toNumber()}">${inf.model.toNumber()}</a></td>
			<td>${status(inf.status.type)}</td><td>${inf.status.isCompleted ? answerText(inferenceAnswer(inf.status.asCompleted, inf.generation)) : ''}</td>
			<td>${open(inf.fee.toBigInt())}</td><td class="num">#${inf.requested.toNumber()}</td><td class="num">${inf.shares.length}</td></tr>`,
	)}</table>`;
}

export async function inferences({ api }, _, query) {
	const next = (await api.query.agents.nextInferenceId()).toNumber();
	const page = Number(query.get('page') ?? 0);
	const list = await recentInferences(api, next - page * PAGE, PAGE);
	return html`<h1>Inferences</h1>${inferenceTable(list)}${pager('#/inferences', page, next - (page + 1) * PAGE > 0)}`;
}

/**
 * The events of block `number`, by its hash on the best chain, kept once read: pages render
 * again at every block, and a finalised block's events never change. Undefined where the
 * block's state is pruned.
 */
const eventsCache = new Map();
async function blockEvents(api, number) {
	const hash = (await api.rpc.chain.getBlockHash(number)).toHex();
	if (!eventsCache.has(hash)) {
		try {
			eventsCache.set(hash, await (await api.at(hash)).query.system.events());
		} catch {
			return undefined;
		}
	}
	return eventsCache.get(hash);
}

/** The `rewards.RewardsDistributed` event of `inference`, in block `block` (where it was paid out). */
async function distribution(api, inference, block) {
	const events = await blockEvents(api, block);
	const found = events?.find(({ event: e }) => e.section === 'rewards' && e.method === 'RewardsDistributed' && e.data.inference.toNumber() === inference);
	return found?.event.data; // undefined where the block's state is pruned: the split is not shown
}

/** The hue of record `r`'s spans: spread around the colour wheel by the golden angle. */
const hue = (r) => (r * 137) % 360;

/**
 * `bytes` (UTF-8) with its verbatim `spans` coloured by the first record that holds each (where
 * spans overlap, the earlier one colours the bytes they share), followed by the spans' table.
 */
function markedSpans(bytes, spans, tokens, testid, datanetLink) {
	const piece = (a, b) => new TextDecoder().decode(bytes.slice(a, b));
	const parts = [];
	let cursor = 0;
	for (const span of spans) {
		const start = Math.max(cursor, span.start.toNumber());
		const end = span.end.toNumber();
		if (end <= start) continue;
		if (start > cursor) parts.push(piece(cursor, start));
		const records = span.records.map((r) => r.toNumber());
		parts.push(
			html`<mark data-testid="span" data-record="${records[0]}" style="background:hsl(${hue(records[0])},70%,85%)" title="${`occurs ${span.occurrences.toNumber()}× in the version; records ${records.join(', ')}`}">${piece(start, end)}</mark>`,
		);
		cursor = end;
	}
	if (cursor < bytes.length) parts.push(piece(cursor, bytes.length));
	return html`<p class="generated" data-testid="${testid}">${parts}</p>
		<p class="note">${tokens} tokens. Highlighted: stretches found verbatim in the Datanet's records, coloured by record (hover for the records).</p>
		<table data-testid="spans"><tr><th class="num">bytes</th><th class="num">occurrences</th><th>records</th></tr>
			${spans.map(
				(sp) => html`<tr><td class="num">${sp.start.toNumber()}–${sp.end.toNumber()}</td><td class="num">${sp.occurrences.toNumber()}</td>
					<td>${sp.records.map((r) => html`<a href="${datanetLink(r.toNumber())}" style="border-bottom:3px solid hsl(${hue(r.toNumber())},70%,60%)">${r.toNumber()}</a> `)}</td></tr>`,
			)}</table>`;
}

/** An ∞-gram's continuation with its verbatim spans, and the first step's candidates. */
function continuation(generation, datanetLink) {
	return html`<h2>Generated text</h2>
		${markedSpans(generation.text.toU8a(true), generation.spans, generation.tokens.toNumber(), 'generated', datanetLink)}
		<h3>First token: the most probable next tokens</h3>
		<table data-testid="first-tokens"><tr><th>token</th><th class="num">probability</th></tr>
			${generation.first.map((c) => html`<tr><td><code>${JSON.stringify(new TextDecoder().decode(c.token.toU8a(true)))}</code></td><td class="num">${percent(c.probability.toNumber(), 1)}</td></tr>`)}</table>`;
}

export async function inference({ api }, [id]) {
	const inf = some(await api.call.attributionApi.inference(id));
	if (!inf) {
		const pruned = id < (await api.query.agents.nextInferenceId()).toNumber();
		const retention = (await api.query.attribution.consensusParams()).retention.toNumber();
		return pruned
			? html`<h1>Inference ${id}</h1><p class="note" data-testid="inference-pruned">Inference ${id} was pruned: results are kept for ${retention} blocks after they are paid or refunded.</p>`
			: html`<h1>Inference ${id}</h1><p class="error">No inference ${id}.</p>`;
	}
	const m = some(await api.call.modelsApi.model(inf.model));
	const sources = m ? sourcesOf(m) : [];
	const s = m && (await datanetSchema(api, sources[0].datanet));
	const shares = [];
	// The shared records of one batch share its indexed bytes: fetched once.
	const fetched = new Map();
	for (const sh of inf.shares) {
		const at = await sharedRecord(api, sources, sh.record.toNumber());
		const bytes = at?.rec ? (await payloadsOf(api, [at.rec], fetched))[0] : null;
		shares.push({ position: sh.record.toNumber(), share: sh.share.toNumber(), at, rec: at?.rec, bytes });
	}
	const completed = inf.completed.isSome ? inf.completed.unwrap().toNumber() : undefined;
	const split = completed === undefined ? undefined : await distribution(api, id, completed);
	const pending = some(await api.query.attribution.pending(id));
	let challenge = 'none: the result was paid out';
	if (pending) {
		challenge = pending.challenge.isSome
			? `challenged by ${pending.challenge.unwrap().challenger.toString()}; a recheck settles it`
			: `open: the result is paid out at block ${pending.matures.toNumber()} unless challenged`;
	} else if (inf.status.isPending) {
		challenge = 'the attestors have not answered yet';
	}
	const answer = inf.status.isCompleted ? inferenceAnswer(inf.status.asCompleted, inf.generation) : undefined;
	const generation = inf.generation.isSome ? inf.generation.unwrap() : undefined;
	const traced = inf.trace.isSome ? inf.trace.unwrap() : undefined;
	const datanetLink = (position) => {
		const at = locate(sources, position);
		return at ? `#/datanet/${at.datanet}?version=${at.version}&page=${Math.floor(at.index / PAGE)}` : '#';
	};
	return html`<h1>Inference ${id}</h1>
		<dl data-testid="inference">
			<dt>status</dt><dd data-testid="inference-status">${status(inf.status.type)}</dd>
			${
				answer?.label !== undefined
					? html`<dt>label</dt><dd data-testid="inference-label">${answer.label}</dd><dt>probability of the label</dt><dd>${percent(answer.confidence * 1e9, 1)}</dd>`
					: answer?.trace
						? html`<dt>answer</dt><dd data-testid="inference-answer">the output, traced: ${answer.trace.spans} verbatim spans in ${answer.trace.tokens} tokens</dd>`
						: answer
							? html`<dt>answer</dt><dd data-testid="inference-answer">${answer.continuation === null ? 'a continuation (no longer kept: past the retention period)' : 'a continuation (below)'}</dd><dt>probability of the first token</dt><dd>${percent(answer.confidence * 1e9, 1)}</dd>`
							: ''
			}
			<dt>model</dt><dd><a href="#/model/${inf.model.toNumber()}">${inf.model.toNumber()}</a></dd>
			<dt>agent</dt><dd>${inf.agent.toNumber()}</dd>
			<dt>caller</dt><dd>${account(inf.caller.toString())}</dd>
			<dt>fee</dt><dd>${open(inf.fee.toBigInt())}</dd>
			<dt>requested</dt><dd>block ${inf.requested.toNumber()}</dd>
			<dt>decided</dt><dd>${completed === undefined ? '—' : `block ${completed}`}</dd>
			<dt>agreeing attestors</dt><dd>${inf.agreeing.map((a) => html`${account(a.toString())} `)}</dd>
			<dt>challenge</dt><dd data-testid="challenge">${challenge}</dd>
		</dl>
		${
			split
				? html`<h2>Fee split</h2><table data-testid="split"><tr><th>to</th><th class="num">amount</th></tr>
					${[['contributors', split.contributors], ['model owner', split.modelOwner], ['agent', split.agent], ['attestors', split.attestors], ['treasury', split.treasury]].map(
						([who, v]) => html`<tr><td>${who}</td><td class="num">${open(v.toBigInt())}</td></tr>`,
					)}</table>`
				: ''
		}
		${generation ? continuation(generation, datanetLink) : ''}
		${
			traced
				? html`<h2>The model's output, traced</h2>
					${markedSpans(traced.output.toU8a(true), traced.trace.spans, traced.trace.tokens.toNumber(), 'traced', datanetLink)}`
				: ''
		}
		<h2>Attributed records</h2>
		${
			shares.length === 0
				? html`<p class="note">No records attributed yet.</p>`
				: html`<table data-testid="shares"><tr>${sources.length > 1 ? html`<th class="num">Datanet</th>` : ''}<th class="num">record</th><th class="num">share</th><th></th><th>contributor</th><th class="num">label</th><th>payload</th><th class="num">earned</th></tr>
				${shares.map(({ position, share, at, rec, bytes }) => {
					const earned = split ? (split.contributors.toBigInt() * BigInt(share)) / 1_000_000_000n : undefined;
					return html`<tr data-testid="share-row" data-record="${position}" data-datanet="${at?.datanet ?? ''}" data-index="${at?.index ?? ''}" data-share="${share}" data-contributor="${rec?.contributor.toString() ?? ''}">
						${sources.length > 1 ? html`<td class="num">${at ? html`<a href="#/datanet/${at.datanet}">${at.datanet}</a>` : ''}</td>` : ''}
						<td class="num"><a href="${datanetLink(position)}">${at ? at.index : position}</a></td>
						<td class="num">${percent(share)}</td><td><span class="bar" style="width:${Math.max(1, Math.round(share / 1e7))}px"></span></td>
						<td>${rec ? account(rec.contributor.toString()) : ''}</td><td class="num">${rec ? rec.label.toNumber() : ''}</td>
						<td>${rec && s ? payload(s, bytes) : ''}</td>
						<td class="num">${earned === undefined ? '' : open(earned)}</td></tr>`;
				})}</table>`
		}`;
}

// --- accounts --------------------------------------------------------------------------------

/**
 * What `who` earned per inference: for every completed inference that credited one of their
 * records, { inference, block, amount }, the amount as the chain computed it (each share of the
 * contributors' part, rounded down), in block order.
 */
async function earningsByInference(api, who) {
	const next = (await api.query.agents.nextInferenceId()).toNumber();
	const contributorOf = new Map();
	const out = [];
	for (let id = 0; id < next; id++) {
		const inf = some(await api.call.attributionApi.inference(id));
		if (!inf || !inf.status.isCompleted || inf.completed.isNone) continue;
		const m = some(await api.call.modelsApi.model(inf.model));
		if (!m) continue;
		const mine = [];
		const sources = sourcesOf(m);
		for (const sh of inf.shares) {
			const at = locate(sources, sh.record.toNumber());
			if (!at) continue;
			const key = `${at.datanet}/${at.version}/${at.index}`;
			if (!contributorOf.has(key)) {
				const [rec] = await api.call.datanetsApi.versionRecords(at.datanet, at.version, at.index, 1);
				contributorOf.set(key, rec?.contributor.toString());
			}
			if (contributorOf.get(key) === who) mine.push(BigInt(sh.share.toNumber()));
		}
		if (mine.length === 0) continue;
		const block = inf.completed.unwrap().toNumber();
		const split = await distribution(api, id, block);
		if (!split) continue;
		const part = split.contributors.toBigInt();
		out.push({ inference: id, block, amount: mine.reduce((a, share) => a + (part * share) / 1_000_000_000n, 0n) });
	}
	return out;
}

// --- assets: Datanets, models and agents as NFTs ------------------------------------------------

const KINDS = Object.fromEntries(Object.entries(ASSET_COLLECTIONS).map(([kind, c]) => [c, kind]));
const assetLink = (kind, id) => (kind === 'agent' ? html`agent ${id}` : html`<a href="#/${kind}/${id}">${kind} ${id}</a>`);

/** The "for sale" line of an asset's page, if it is listed. */
async function forSale(api, kind, id) {
	const holding = await assetHolding(api, kind, id);
	if (!holding || holding.price === null) return '';
	return html`<dt>for sale</dt><dd data-testid="${kind}-price" data-price="${holding.price}">${open(holding.price)} (<code>nfts.buyItem(${ASSET_COLLECTIONS[kind]}, ${id}, price)</code>)</dd>`;
}

/** The "owner share" line of a model's or an agent's page, if its holder split it. */
async function revenueSplit(api, kind, id) {
	const split = await revenueShares(api, kind, id);
	if (!split?.inForce) return '';
	const total = split.parts.reduce((a, p) => a + p.part, 0);
	return html`<dt>owner share</dt><dd data-testid="revenue-shares">split by its holder (<code>rewards.setRevenueShares</code>): ${split.parts.map(
		(p, i) => html`${i ? ', ' : ''}<span data-testid="revenue-part" data-account="${p.account}" data-part="${p.part}">${account(p.account)} ${p.part}/${total}</span>`,
	)}; ${open(split.pending)} earned, to settle (<code>rewards.settleRevenue</code>)</dd>`;
}

/** An asset's owners, from the chain's owner history (the last 32 past holders) and its holder
 * now, each with the block its holding began (unknown for the first) and ended. */
async function owners(api, kind, id, owner) {
	const past = await ownerHistory(api, kind, id);
	const rows = [...past, { owner, until: null }].map(
		(o, i) => html`<tr data-testid="owner-row" data-owner="${o.owner}"><td>${account(o.owner)}</td><td class="num">${i ? `#${past[i - 1].until}` : ''}</td><td class="num">${o.until === null ? 'now' : `#${o.until}`}</td></tr>`,
	);
	return html`<h2>Owners</h2>
		<table data-testid="owner-history"><tr><th>owner</th><th class="num">from</th><th class="num">until</th></tr>${rows}</table>`;
}

/** Every Datanet, model and agent listed for sale through pallet-nfts, with its owner. */
export async function market({ api }) {
	const listed = [];
	for (const [key, value] of await api.query.nfts.itemPriceOf.entries()) {
		const [collection, item] = key.args.map((a) => a.toNumber());
		const kind = KINDS[collection];
		if (!kind || value.isNone) continue;
		const holding = await assetHolding(api, kind, item);
		listed.push({ kind, item, price: value.unwrap()[0].toBigInt(), owner: holding?.owner });
	}
	listed.sort((a, b) => a.kind.localeCompare(b.kind) || a.item - b.item);
	const rows = listed.map(
		(l) => html`<tr data-testid="listing" data-kind="${l.kind}" data-id="${l.item}" data-price="${l.price}"><td>${assetLink(l.kind, l.item)}</td><td class="num">${open(l.price)}</td><td>${l.owner ? account(l.owner) : ''}</td></tr>`,
	);
	return html`<h1>Market</h1>
		<p class="note">Datanets, models and agents are NFTs (collections 0, 1 and 2 of <code>pallet-nfts</code>): their holder owns them and is paid their owner's part. A holder lists one with <code>nfts.setPrice</code>, and <code>nfts.buyItem</code> buys it; wallets that know NFTs show and move them too.</p>
		${listed.length ? html`<table data-testid="market"><tr><th>asset</th><th class="num">price</th><th>owner</th></tr>${rows}</table>` : html`<p class="note" data-testid="market-empty">Nothing is for sale.</p>`}`;
}

/** The assets `who` holds: { kind, id } for each item of the three collections. */
async function assetsOf(api, who) {
	const keys = await api.query.nfts.account.keys(who);
	return keys
		.map((k) => ({ kind: KINDS[k.args[1].toNumber()], id: k.args[2].toNumber() }))
		.filter((a) => a.kind)
		.sort((a, b) => a.kind.localeCompare(b.kind) || a.id - b.id);
}

export async function accountPick({ signers }) {
	return html`<h1>Account</h1>
		<form data-action="goto-account"><input name="address" placeholder="an SS58 address" data-testid="address-input"> <button>show</button></form>
		<h2>Accounts this browser can sign with</h2>
		${signers.length ? html`<ul>${signers.map((s) => html`<li>${account(s.address)} ${s.name} <span class="note">(${s.source})</span></li>`)}</ul>` : html`<p class="note">None: connect a browser extension in <a href="#/settings">settings</a>.</p>`}`;
}

export async function accountView({ api, signers }, [address]) {
	let who;
	try {
		who = api.createType('AccountId32', address).toString();
	} catch {
		return html`<h1>Account</h1><p class="error">${address} is not an address.</p>`;
	}
	const [{ data }, e, byInference, held] = await Promise.all([api.query.system.account(who), contributorEarnings(api, who), earningsByInference(api, who), assetsOf(api, who)]);
	const signer = signers.find((s) => s.address === who);
	const claim =
		e.claimable === 0n
			? html`<span class="note">nothing to claim</span>`
			: signer
				? html`<button data-action="claim" data-signer="${who}" data-testid="claim">claim ${open(e.claimable)}</button>`
				: html`<span class="note">connect this account's browser extension (settings) to claim</span>`;
	return html`<h1>Account ${account(who)}</h1>
		<div class="cards">
			<div class="card">free<b data-testid="free" data-value="${data.free.toBigInt()}">${open(data.free.toBigInt())}</b></div>
			<div class="card">reserved<b>${open(data.reserved.toBigInt())}</b></div>
			<div class="card">claimable<b data-testid="claimable" data-value="${e.claimable}">${open(e.claimable)}</b></div>
			<div class="card">earned as a contributor<b data-testid="earned" data-value="${e.total}">${open(e.total)}</b></div>
		</div>
		<p>${claim}</p>
		${e.payee ? html`<p data-testid="payee">Its records pay ${account(e.payee)} from now on (<code>rewards.setPayee</code>).</p>` : ''}
		<h2>Assets held</h2>
		${
			held.length
				? html`<ul data-testid="assets">${held.map((a) => html`<li data-testid="asset" data-kind="${a.kind}" data-id="${a.id}">${assetLink(a.kind, a.id)}</li>`)}</ul>`
				: html`<p class="note">No Datanet, model or agent.</p>`
		}
		<h2>Earnings per inference</h2>
		${cumulativeChart(byInference.map((x) => ({ block: x.block, amount: x.amount })))}
		${
			byInference.length
				? html`<table data-testid="inference-earnings"><tr><th>inference</th><th class="num">block</th><th class="num">earned</th></tr>
					${byInference.map((x) => html`<tr data-testid="inference-earning" data-inference="${x.inference}" data-amount="${x.amount}"><td><a href="#/inference/${x.inference}">${x.inference}</a></td><td class="num">${x.block}</td><td class="num">${open(x.amount)}</td></tr>`)}</table>`
				: ''
		}
		<h2>Earnings per record</h2>
		${
			e.records.length
				? html`<table data-testid="record-earnings"><tr><th>Datanet</th><th class="num">record</th><th class="num">label</th><th>hash</th><th class="num">earned</th></tr>
					${e.records.map((r) => html`<tr data-testid="record-earning" data-datanet="${r.datanet}" data-index="${r.index}" data-amount="${r.earned}"><td><a href="#/datanet/${r.datanet}">${r.datanet}</a></td><td class="num">${r.index}</td><td class="num">${r.label}</td><td>${hash(r.hash)}</td><td class="num">${open(r.earned)}</td></tr>`)}</table>`
				: html`<p class="note">No record of this account has earned yet.</p>`
		}`;
}

// --- attestors -------------------------------------------------------------------------------

/** The events of the last `depth` blocks that concern attestors: slashes and strikes. */
async function recentSlashes(api, best, depth) {
	const slashed = new Map();
	const from = Math.max(1, best - depth + 1);
	for (let b = from; b <= best; b++) {
		for (const { event: e } of (await blockEvents(api, b)) ?? []) {
			if (e.section === 'attribution' && e.method === 'Slashed') {
				const a = e.data.attestor.toString();
				const s = slashed.get(a) ?? { count: 0, amount: 0n };
				slashed.set(a, { count: s.count + 1, amount: s.amount + e.data.amount.toBigInt() });
			}
		}
	}
	return { slashed, from };
}

export async function attestors({ api, best }) {
	const set = (await api.call.attributionApi.attestors()).map((a) => a.toString());
	const answered = new Map();
	for (const [, rec] of await api.query.attribution.inferences.entries()) {
		for (const a of rec.unwrap().agreeing) answered.set(a.toString(), (answered.get(a.toString()) ?? 0) + 1);
	}
	const depth = 200;
	const { slashed, from } = await recentSlashes(api, best, depth);
	const rows = await Promise.all(
		set.map(async (a) => {
			const [bond, strikes, suspended] = await Promise.all([api.query.attribution.bonds(a), api.query.attribution.strikes(a), api.query.attribution.suspended(a)]);
			const b = some(bond);
			const s = some(strikes);
			const sl = slashed.get(a);
			return html`<tr data-testid="attestor-row" data-account="${a}">
				<td>${account(a)}</td><td class="num">${b ? open(b.amount.toBigInt()) : '—'}</td>
				<td class="num">${s ? s.count.toNumber() : 0}</td><td>${suspended.isSome ? status('Suspended') : status('ok')}</td>
				<td class="num" data-testid="answered">${answered.get(a) ?? 0}</td>
				<td class="num">${sl ? html`${sl.count} (${open(sl.amount)})` : 0}</td></tr>`;
		}),
	);
	return html`<h1>Attestors</h1>
		<table data-testid="attestors"><tr><th>attestor</th><th class="num">bond</th><th class="num">strikes</th><th>state</th><th class="num">inferences answered</th><th class="num">slashes since #${from}</th></tr>${rows}</table>
		<p class="note">Strikes as last recorded (they decay over time). Inferences answered: completed inferences whose agreeing majority includes the attestor. Slashes: from the events of the last ${depth} blocks.</p>`;
}

// --- settings --------------------------------------------------------------------------------

export async function settings({ rpcUrl, signers, extension }) {
	return html`<h1>Settings</h1>
		<form data-action="set-rpc"><label>Node RPC address<br><input name="rpc" value="${rpcUrl}" data-testid="rpc-input"></label> <button>connect</button></form>
		<p class="note">The address is kept in this browser, and a link may carry it as <code>?rpc=ws://…</code>.</p>
		<h2>Signing</h2>
		<p>${extension ? `Browser extension: ${extension}.` : html`<button data-action="enable-extension" class="secondary">connect a browser extension</button>`}</p>
		${signers.length ? html`<ul>${signers.map((s) => html`<li>${account(s.address)} ${s.name} <span class="note">(${s.source})</span></li>`)}</ul>` : ''}`;
}
