#!/usr/bin/env node
// The security table of docs/proof-of-attribution.md ("Stake and Sybils"): for an attacker
// holding 10%, 20% and 33% of the bonded stake, at each preset's attestor set and committee
// size, the probability that it draws a majority of a job's committee, and what a try costs it.
//
//   node scripts/committee-odds.js
//
// Committees are drawn uniformly, without replacement, among the active attestors, one seat an
// account (pallet-attribution's `draw_committee`). An attacker's best use of its stake is as many
// accounts of the least bond as it can afford. The honest attestors are the preset's, each at the
// least bond, and the attacker bonds in beside them until it holds a share `f` of all bonded
// stake: `k` seats with k / (honest + k) <= f. A full set holds `MaxAttestors` (32) seats, the
// attacker's `floor(32 f)` of them. A result needs more
// than half of the committee; a lie that loses costs each lying member `lost_slash` of its bond;
// a lie that wins is re-executed by every other node's watchtower and overturned by a recheck of
// up to twice the committee, drawn without the first committee, which then needs a majority of
// honest members too.

const MIN_BOND = 1000; // OPEN, the runtime's ATTESTOR_BOND
const LOST_SLASH = 0.1;

/** C(n, k) as a float (the sets are small). */
function choose(n, k) {
	if (k < 0 || k > n) return 0;
	let r = 1;
	for (let i = 1; i <= k; i += 1) r = (r * (n - k + i)) / i;
	return r;
}

/** P(X >= m) for X ~ Hypergeometric(population n, successes k, draws c). */
function tail(n, k, c, m) {
	let p = 0;
	for (let x = m; x <= Math.min(k, c); x += 1) p += (choose(k, x) * choose(n - k, c - x)) / choose(n, c);
	return p;
}

/** The expected number of attackers in a committee. */
const expected = (n, k, c) => (c * k) / n;

const settings = [
	{ preset: '`development`', honest: 1, committee: 15 },
	{ preset: '`local`, `staging`', honest: 4, committee: 15 },
	{ preset: 'a full set (`MaxAttestors`)', full: 32, committee: 15 },
];

console.log('| preset | attestors | committee | stake held | attacker seats | P(committee majority) | P(recheck majority too) | bonds at risk | expected slash per try |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const { preset, honest, full, committee } of settings) {
	for (const f of [0.1, 0.2, 1 / 3]) {
		const k = full ? Math.floor(f * full + 1e-9) : Math.floor((f * honest) / (1 - f) + 1e-9);
		const n = full ?? honest + k;
		const c = Math.min(committee, n);
		const m = Math.floor(c / 2) + 1;
		const first = tail(n, k, c, m);
		// The recheck: up to 2c of the n - c outsiders (less a challenger), needing a majority.
		const outsiders = n - c - 1;
		const rc = Math.min(2 * committee, outsiders);
		let both = 0;
		if (rc > c) {
			// Sum over how many attackers x the first committee drew (x >= m).
			for (let x = m; x <= Math.min(k, c); x += 1) {
				const px = (choose(k, x) * choose(n - k, c - x)) / choose(n, c);
				both += px * tail(outsiders, k - x, rc, Math.floor(rc / 2) + 1);
			}
		} else {
			both = first; // no recheck can be drawn: the first majority stands
		}
		// Every lie that fails, at the vote or at the recheck, costs each lying member its slash.
		const slash = expected(n, k, c) * LOST_SLASH * MIN_BOND * (1 - both);
		console.log(
			`| ${preset} | ${n} | ${c} | ${Math.round(f * 100)}% | ${k} | ${first.toExponential(2)} | ${both.toExponential(2)} | ${(k * MIN_BOND).toLocaleString('en')} OPEN | ${slash.toFixed(1)} OPEN |`,
		);
	}
}
