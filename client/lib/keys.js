// The signer of a command: a secret URI, or a JSON keystore exported by Polkadot.js.

import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';

/** A key that could not be loaded; its message says why, without the secret. */
export class KeyError extends Error {}

/**
 * The key pair for `suri` (e.g. `//Alice`, or a mnemonic with an optional derivation path), of
 * `type` sr25519 by default.
 */
export async function fromSuri(suri, type = 'sr25519') {
	await cryptoWaitReady();
	try {
		return new Keyring({ type, ss58Format: 42 }).addFromUri(suri);
	} catch (e) {
		throw new KeyError(`the secret URI is not valid: ${e.message}`);
	}
}

/**
 * The key pair of a JSON keystore (Polkadot.js apps: Accounts → ⋯ → Export account), its text
 * `text` named `file` in messages, unlocked with `password`. A wrong password is a `KeyError`.
 */
export async function fromKeystoreJson(text, password, file = 'the keystore') {
	await cryptoWaitReady();
	let json;
	try {
		json = JSON.parse(text);
	} catch (e) {
		throw new KeyError(`${file} is not a JSON keystore: ${e.message}`);
	}
	const types = json?.encoding?.content ?? [];
	const type = ['sr25519', 'ed25519', 'ecdsa'].find((t) => types.includes(t));
	if (!json.encoded || !type) throw new KeyError(`${file} is not a Polkadot.js keystore (no encoded sr25519, ed25519 or ecdsa key)`);
	const pair = new Keyring({ type, ss58Format: 42 }).addFromJson(json);
	try {
		pair.decodePkcs8(password);
	} catch {
		throw new KeyError(`wrong password for ${file}`);
	}
	return pair;
}
