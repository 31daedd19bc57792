// The fast answer's latency: a dev node (Aura, 6-second blocks) with its attestor, a model and
// an agent; then paid inferences, one at a time, each sent as a signed `agents.invoke` to
// `attribution_answer`. For each it measures the time from the request to the node's answer,
// and, as the baseline in the same run, from the same request to the chain's decided result
// (`attributionApi.inference` Completed on the best block). Prints a markdown table.
//
//   OPENLEDGER_NODE=…/release/openledger-node node bench/answer.js [--model digits|external]
//                                                                  [--records N] [--inferences N]
//
// `digits`: the load benchmark's MLP on N digits. `external`: an external model over N State of
// the Union records, each output a record of the rest with one word in ten replaced.

import { parseArgs } from 'node:util';

import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import { startNode } from '../lib/node.js';
import { digitsDataset, OPEN, setUpAgent, sotuDataset, until } from '../lib/load.js';

const { values: opts } = parseArgs({
	options: {
		model: { type: 'string', default: 'external' },
		records: { type: 'string', default: '1000' },
		inferences: { type: 'string', default: '30' },
	},
});
const records = Number(opts.records);
const count = Number(opts.inferences);
const log = (m) => console.log(`[answer] ${new Date().toISOString().slice(11, 19)} ${m}`);

/** The output an external model is asked to trace: `text` with one word in ten replaced. */
const edited = (text) => text.split(' ').map((w, i) => (i % 10 === 9 ? 'zqxjv' : w)).join(' ');

const datasets = {
	digits: () => digitsDataset(records),
	external: () => {
		const d = sotuDataset(records);
		const spec = { featurizer: 'Words', architecture: { External: { weightsHash: `0x${'77'.repeat(32)}`, minSpanTokens: 8 } }, epochs: 1, learningRate: 1, batchSize: 1, l2: 0, seed: 0 };
		return { ...d, spec, inputs: d.inputs.map((t) => `0x${Buffer.from(edited(t)).toString('hex')}`) };
	},
};
if (!datasets[opts.model]) throw new Error(`--model ${opts.model}: digits or external`);

await cryptoWaitReady();
const node = await startNode({ args: ['--dev'], name: 'answer-bench' });
try {
	const { api } = node;
	const keyring = new Keyring({ type: 'sr25519' });
	const [eve, ferdie] = ['//Eve', '//Ferdie'].map((u) => keyring.addFromUri(u));
	const { agent, fee, inputs, callers } = await setUpAgent(api, { owner: eve, developer: ferdie, dataset: datasets[opts.model](), callers: 1, funds: 1_000n * OPEN, log });
	const [caller] = callers;
	// The agents pallet's events as best blocks bring them, with when they were seen.
	const events = [];
	const unsubscribe = await api.query.system.events((evs) => {
		const at = performance.now();
		for (const { event } of evs) if (event.section === 'agents') events.push({ event, at });
	});
	const answered = [];
	const decided = [];
	for (let i = 0; i < count; i += 1) {
		const signed = await api.tx.agents.invoke(agent, inputs[i % inputs.length], fee).signAsync(caller, { nonce: -1 });
		const started = performance.now();
		const answer = await node.rpc('attribution_answer', [signed.toHex()]);
		answered.push(performance.now() - started);
		// The caller's i-th request, and its result.
		const id = await until(() => events.filter((e) => e.event.method === 'InferenceRequested' && e.event.data.caller.toString() === caller.address)[i]?.event.data.inference.toNumber());
		const done = await until(() => events.find((e) => e.event.method === 'InferenceCompleted' && e.event.data.inference.toNumber() === id), 120_000, `inference ${id} decided`);
		decided.push(done.at - started);
		log(`inference ${id}: answered in ${answered.at(-1).toFixed(0)} ms (outcome ${answer.outcomeHash.slice(0, 10)}…), decided in ${(decided.at(-1) / 1000).toFixed(1)} s`);
	}
	unsubscribe();
	const stats = (xs) => {
		const s = [...xs].sort((a, b) => a - b);
		const at = (q) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
		return { p50: at(0.5), p90: at(0.9), max: s.at(-1) };
	};
	const a = stats(answered);
	const d = stats(decided);
	console.log(`\n| ${count} inferences, model ${opts.model} on ${records} records | p50 | p90 | max |\n|---|---|---|---|`);
	console.log(`| request to the node's answer (\`attribution_answer\`) | ${a.p50.toFixed(0)} ms | ${a.p90.toFixed(0)} ms | ${a.max.toFixed(0)} ms |`);
	console.log(`| request to the chain's decided result (baseline) | ${(d.p50 / 1000).toFixed(1)} s | ${(d.p90 / 1000).toFixed(1)} s | ${(d.max / 1000).toFixed(1)} s |`);
} finally {
	await node.stop();
}
