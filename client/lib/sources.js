// A model's sources, the Datanet versions it trains on, and where a share's record lies in them.
//
// A share names a record by its position in the sources' records one after another (each
// record once, whatever its source's weight): the first source's records are positions
// 0..records, the next source's follow. On one source that is the record's position in the
// Datanet's log. The same rule as the chain's `models::locate` (primitives/src/models.rs).

/** A model's sources (the `sources` of `modelsApi.model`'s answer) as plain numbers. */
export function sourcesOf(model) {
	return model.sources.map((s) => ({
		datanet: s.datanet.toNumber(),
		version: s.version.toNumber(),
		records: s.records.toNumber(),
		weight: s.weight.toNumber(),
	}));
}

/**
 * Where position `position` of a model on `sources` (as `sourcesOf` gives them) lies:
 * `{ source, datanet, version, index }`, `index` its position in the Datanet's log; undefined
 * past the last source's records.
 */
export function locate(sources, position) {
	let start = 0;
	for (const [source, s] of sources.entries()) {
		if (position < start + s.records) return { source, datanet: s.datanet, version: s.version, index: position - start };
		start += s.records;
	}
	return undefined;
}

/** The sources in words: `Datanet 3 version 1` or `Datanets 3 v1 ×2, 4 v2`. */
export function describeSources(sources) {
	if (sources.length === 1) return `Datanet ${sources[0].datanet} version ${sources[0].version}${sources[0].weight > 1 ? ` ×${sources[0].weight}` : ''}`;
	return `Datanets ${sources.map((s) => `${s.datanet} v${s.version}${s.weight > 1 ? ` ×${s.weight}` : ''}`).join(', ')}`;
}

/** The record a share of a model on `sources` names, as `datanetsApi.versionRecords` returns it, with where it lies; undefined if none. */
export async function sharedRecord(api, sources, position) {
	const at = locate(sources, position);
	if (!at) return undefined;
	const [rec] = await api.call.datanetsApi.versionRecords(at.datanet, at.version, at.index, 1);
	return rec && { ...at, rec };
}
