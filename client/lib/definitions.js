// What @polkadot/api needs beyond the chain's metadata: the types and the methods of the node's
// custom RPCs, `attribution_preview` and `attribution_answer`.
//
// The runtime APIs (DatanetsApi, ModelsApi, AgentsApi, AttributionApi, RewardsApi) need no
// definitions here: the runtime describes them in its metadata (V15), and @polkadot/api decorates
// `api.call.datanetsApi.versionRecords(…)` and the others, typed, from it.

/** The types of `attribution_preview`'s answer (node/src/rpc/attribution.rs). */
export const types = {
	/** A record's part of a preview. */
	AttributionPreviewShare: {
		// The node's JSON names the record's hash `hash`, which every codec already has (its own
		// blake2 hash): the field is `recordHash` here, read from `hash`.
		_alias: { recordHash: 'hash' },
		/** Its position in the model's sources' records, as shares name it (on one source, its position in the Datanet's log). */
		record: 'u32',
		/** The Datanet it is in. */
		datanet: 'u32',
		/** Its position in that Datanet's log. */
		index: 'u32',
		/** Its hash: blake3(payload ‖ label as u16 little-endian). */
		recordHash: 'H256',
		/** Who contributed it. */
		contributor: 'AccountId32',
		/** Its share, in parts per billion (a side sums to 10^9). */
		share: 'u32',
	},
	/** A next token an ∞-gram considered at its first step. */
	AttributionPreviewToken: {
		/** The token's text. */
		token: 'Text',
		/** Its probability after the matched context, in parts per billion. */
		probability: 'u32',
	},
	/** A stretch of the continuation that occurs verbatim in the records. */
	AttributionPreviewSpan: {
		/** Its first byte in the continuation (UTF-8). */
		start: 'u32',
		/** The byte after its last. */
		end: 'u32',
		/** Its occurrences in the version. */
		occurrences: 'u32',
		/** Records that hold it, by position (at most 4). */
		records: 'Vec<u32>',
	},
	/** An ∞-gram model's continuation of the prompt. */
	AttributionPreviewGeneration: {
		/** The generated text. */
		text: 'Text',
		/** Its tokens. */
		tokens: 'u32',
		/** The first step's most probable next tokens (at most 8). */
		first: 'Vec<AttributionPreviewToken>',
		/** Its verbatim spans (at most 16). */
		spans: 'Vec<AttributionPreviewSpan>',
	},
	/** A classifier's answer in a preview. */
	AttributionPreviewClass: {
		/** The predicted class. */
		label: 'u16',
		/** Each class's probability, in parts per billion. */
		probabilities: 'Vec<u32>',
	},
	/** An external model's output (the input) traced to the records. */
	AttributionPreviewTrace: {
		/** The output's tokens. */
		tokens: 'u32',
		/** Its verbatim spans of at least the model's minimum length (at most 16). */
		spans: 'Vec<AttributionPreviewSpan>',
	},
	/** What the model answers: a label, an ∞-gram model's continuation, or an external model's
	 * trace. */
	AttributionPreviewAnswer: {
		_enum: {
			Class: 'AttributionPreviewClass',
			Continuation: 'AttributionPreviewGeneration',
			Trace: 'AttributionPreviewTrace',
		},
	},
	/** What the node's engine answers for a model and an input, and the records behind it. */
	AttributionPreview: {
		/** The answer. */
		answer: 'AttributionPreviewAnswer',
		/** The records that supported it most (at most 16): for a continuation, the records its
		 * tokens came from. */
		proponents: 'Vec<AttributionPreviewShare>',
		/** The records that opposed it most (at most 16; none for a continuation). */
		opponents: 'Vec<AttributionPreviewShare>',
	},
	/** An attestor node's answer to a signed invoke, before the chain's (`attribution_answer`). */
	AttributionAnswer: {
		/** The hash of the invoke extrinsic, as the pool knows it. */
		extrinsic: 'H256',
		/** The model the agent calls. */
		model: 'u32',
		/** The outcome the node will reveal: SCALE of `attribution.reveal`'s `outcome`. */
		outcome: 'Bytes',
		/** Its blake2-256, as the vote counts it. */
		outcomeHash: 'H256',
		/** The attestor that answers. */
		attestor: 'AccountId32',
		/** Its sr25519 signature of ("openledger/answer", extrinsic, outcomeHash). */
		signature: 'Bytes',
	},
};

/** The node's custom RPC methods, as `api.rpc.attribution.*`, and the SDK's `bitswap_v1_get`
 * (which @polkadot/api does not know), as `api.rpc.bitswap.v1_get`. */
export const rpc = {
	bitswap: {
		v1_get: {
			description:
				"The bytes this node keeps in its transaction index under a CIDv1 (base32; raw; blake2b-256, sha2-256 or keccak-256), hex-encoded: a Datanet record's payload lies in them (see datanetsApi's `Payload::Indexed`).",
			params: [{ name: 'cid', type: 'Text' }],
			// Bytes: the node answers "0x…", which a Text would read as UTF-8.
			type: 'Bytes',
		},
	},
	attribution: {
		answer: {
			description:
				'Submits a signed `agents.invoke` extrinsic to this node\'s pool and answers it at once with the outcome its ' +
				'attestor will reveal, signed over ("openledger/answer", extrinsic hash, outcome hash). Errors: 7010 not a signed ' +
				'invoke, 7011 the pool refused it, 7012 no registered attestor key, 7013 another engine version than the ' +
				"chain's, and 7001, 7002, 7004 as for the preview.",
			params: [{ name: 'extrinsic', type: 'Bytes' }],
			type: 'AttributionAnswer',
		},
		preview: {
			description:
				"Predicts `input` with `model` and attributes the prediction with this node's engine, without a transaction. " +
				'Offered on unsafe RPC ports only (--rpc-methods unsafe, or a --dev node). Errors: 7001 unknown model, ' +
				'7002 model not active, 7003 input does not fit the schema, 7004 the engine or the runtime failed.',
			params: [
				{ name: 'model', type: 'u32' },
				{ name: 'input', type: 'Bytes' },
				{ name: 'at', type: 'BlockHash', isHistoric: true, isOptional: true },
			],
			type: 'AttributionPreview',
		},
	},
};

/** The options to pass to `ApiPromise.create` (with a provider). */
export const apiOptions = { types, rpc };
