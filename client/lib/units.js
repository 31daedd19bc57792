// OPEN amounts: the chain counts in the smallest unit, 10^-18 OPEN.

/** OPEN's decimals (the chain spec's `tokenDecimals`). */
export const DECIMALS = 18;
const ONE = 10n ** BigInt(DECIMALS);

/** A decimal string of OPEN ("1.5", "0", "20") as the smallest unit, exactly; throws on anything else. */
export function parseOpen(text) {
	const m = /^(\d+)(?:\.(\d+))?$/.exec(String(text).trim());
	if (!m) throw new Error(`${JSON.stringify(text)} is not an amount of OPEN (e.g. 1.5)`);
	const frac = m[2] ?? '';
	if (frac.length > DECIMALS) throw new Error(`${text}: OPEN has ${DECIMALS} decimals`);
	return BigInt(m[1]) * ONE + BigInt(frac.padEnd(DECIMALS, '0') || '0');
}

/** The smallest unit as a decimal string of OPEN, without trailing zeros ("1.5", "0.000001"). */
export function formatOpen(units) {
	const v = BigInt(units);
	const sign = v < 0n ? '-' : '';
	const abs = v < 0n ? -v : v;
	const frac = (abs % ONE).toString().padStart(DECIMALS, '0').replace(/0+$/, '');
	return `${sign}${abs / ONE}${frac ? `.${frac}` : ''}`;
}
