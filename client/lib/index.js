// @openledger/client: the typed client library of the OpenLedger chain, shared by the
// command-line client (bin/openledger.js), the explorer and the end-to-end tests. It runs in
// browsers too; what parses and reads files is in `@openledger/client/files` (Node.js only).

export { apiOptions, rpc, types } from './definitions.js';
export { connect, DEFAULT_URL } from './connect.js';
export { describeError, freeBalance, sendAndWait, waitForFinalized } from './tx.js';
export {
	answerPayload,
	buyAsset,
	ChainError,
	claim,
	contributeBatch,
	createDatanet,
	eventData,
	invoke,
	invokedBy,
	invokeNow,
	judgeAnswer,
	listAsset,
	modelSpec,
	publishVersion,
	registerAgent,
	registerModel,
	send,
	setPayee,
	setRevenueShares,
	settleRevenue,
	transfer,
	transferAsset,
	waitForInference,
	waitForModel,
} from './actions.js';
export { recordHash, RowError, schemaOf, toRecord } from './records.js';
export { cidOf, indexedBytes, PayloadError, payloadsOf, recordPayload } from './payloads.js';
export { fromKeystoreJson, fromSuri, KeyError } from './keys.js';
export {
	ASSET_COLLECTIONS,
	ASSET_KINDS,
	assetHolding,
	contributorEarnings,
	datanetFlags,
	datanetSchema,
	existingRecords,
	inferenceAnswer,
	latestVersion,
	modelStatus,
	ownerHistory,
	qualityFlags,
	revenueShares,
	versionRecords,
} from './queries.js';
export { describeSources, locate, sharedRecord, sourcesOf } from './sources.js';
export { DECIMALS, formatOpen, parseOpen } from './units.js';
export { metadataHash, TOKEN_SYMBOL } from './metadata-hash.js';
