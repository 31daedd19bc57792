//! The referendum tracks: who may decide what, how much it costs to put a question to a vote,
//! how long a decision takes, and how much agreement it needs.
//!
//! | id | track | dispatches as | decides |
//! |---|---|---|---|
//! | 0 | `root` | Root | runtime upgrades, and anything else |
//! | 1 | `attribution_admin` | [`Origin::AttributionAdmin`] | attestor membership, engine version, strikes, committees, bonds and slashes; the validators' invulnerables, candidacy bond and number of candidates |
//! | 2 | `economics` | [`Origin::Economics`] | the reward split and the emission |
//! | 3 | `treasurer` | [`Origin::Treasurer`] | treasury spends up to 1,000,000 OPEN each |
//! | 4 | `moderator` | [`Origin::Moderator`] | removing records, retiring models, slashing agents |
//!
//! The values are argued next to each track. Deposits are sized for a supply of the order of
//! 10^9 OPEN; the decision deposit is returned once the referendum is decided, so it only
//! prices the voters' attention. Approval is the share of conviction-weighted votes that say
//! aye; support is the aye capital (without conviction) as a share of the active issuance. Both
//! curves fall over the decision period: a referendum passes early only with broad agreement,
//! and late with a plain majority of those who cared to vote.
//!
//! With [`Pace::Fast`] (development and test chains) every track keeps its deposits and curves,
//! and its periods become a few blocks ([`fast`]), so that a referendum passes in seconds.

use alloc::borrow::Cow;
use pallet_referenda::{Curve, Track, TrackInfo};
use sp_runtime::Perbill;

use super::origins::{GovernancePace, Origin, Pace};
use crate::{Balance, BlockNumber, OriginCaller, Runtime, DAYS, HOURS, MINUTES, OPEN};

/// A track's identifier: its index in the table.
pub type TrackId = u16;

/// `root`: runtime upgrades and anything else.
pub const ROOT: TrackId = 0;
/// `attribution_admin`: attestor membership and the consensus parameters.
pub const ATTRIBUTION_ADMIN: TrackId = 1;
/// `economics`: the reward split and the emission.
pub const ECONOMICS: TrackId = 2;
/// `treasurer`: treasury spends.
pub const TREASURER: TrackId = 3;
/// `moderator`: moderation of records, models and agents.
pub const MODERATOR: TrackId = 4;

/// The length of a track name: the referenda pallet's default, which [`Track`] takes.
const NAME_LEN: usize = 25;

/// A track name as the referenda pallet stores it: UTF-8, padded with zeros.
const fn name(s: &str) -> [u8; NAME_LEN] {
	let mut out = [0u8; NAME_LEN];
	let bytes = s.as_bytes();
	let mut i = 0;
	while i < bytes.len() {
		out[i] = bytes[i];
		i += 1;
	}
	out
}

/// A curve that falls in a straight line from `ceil` at the start of the decision period to
/// `floor` at its end.
const fn linear(ceil: Perbill, floor: Perbill) -> Curve {
	Curve::LinearDecreasing { length: Perbill::one(), floor, ceil }
}

const fn percent(x: u32) -> Perbill {
	Perbill::from_percent(x)
}

/// Tenths of a percent.
const fn permille(x: u32) -> Perbill {
	Perbill::from_perthousand(x)
}

type Table = [Track<TrackId, Balance, BlockNumber>; 5];

/// The tracks on production chains.
pub const PRODUCTION: Table = [
	// Root can do anything, including replace the runtime, so it asks the most of everyone:
	// - one decision at a time, so that two upgrades never race;
	// - 100,000 OPEN to start a decision: the whole chain's attention is the costliest thing
	//   a proposer can ask for;
	// - two hours before a decision may start, so that voters can fetch the preimage and, for an
	//   upgrade, check its blob against a reproducible build;
	// - two weeks to decide, so that holders who look once a week see it twice;
	// - a full day of continuous approval before it passes, so that a late swing of a few
	//   large holders cannot carry it in an hour;
	// - a day between approval and enactment, so that validators can install a node binary
	//   the new runtime may need;
	// - approval from 100% down to a simple majority; support from half the active issuance
	//   down to 1% at the end.
	Track {
		id: ROOT,
		info: TrackInfo {
			name: name("root"),
			max_deciding: 1,
			decision_deposit: 100_000 * OPEN,
			prepare_period: 2 * HOURS,
			decision_period: 14 * DAYS,
			confirm_period: DAYS,
			min_enactment_period: DAYS,
			min_approval: linear(percent(100), percent(50)),
			min_support: linear(percent(50), percent(1)),
		},
	},
	// Attestors decide how every fee is split, so their membership is a serious matter, but
	// each change is small and independent of the others:
	// - ten decisions at once (adding, removing and reinstating attestors are unrelated);
	// - 10,000 OPEN to start one;
	// - an hour to prepare and a week to decide;
	// - twelve hours of continuous approval;
	// - an hour to enactment: a new attestor's node is already running with its key, and a
	//   misbehaving one should leave soon (strikes suspend it in the meantime);
	// - approval from 100% to a majority; support from 25% to 1%.
	Track {
		id: ATTRIBUTION_ADMIN,
		info: TrackInfo {
			name: name("attribution_admin"),
			max_deciding: 10,
			decision_deposit: 10_000 * OPEN,
			prepare_period: HOURS,
			decision_period: 7 * DAYS,
			confirm_period: 12 * HOURS,
			min_enactment_period: HOURS,
			min_approval: linear(percent(100), percent(50)),
			min_support: linear(percent(25), percent(1)),
		},
	},
	// The reward split and the emission change every contributor's, developer's and agent's
	// income, and the emission mints OPEN, so economics is decided as slowly as root:
	// - five decisions at once;
	// - 10,000 OPEN to start one;
	// - two hours to prepare, two weeks to decide, a day of continuous approval;
	// - a day to enactment, so that agents can reprice before the split changes;
	// - approval from 100% to a majority; support from 30% to 1%.
	Track {
		id: ECONOMICS,
		info: TrackInfo {
			name: name("economics"),
			max_deciding: 5,
			decision_deposit: 10_000 * OPEN,
			prepare_period: 2 * HOURS,
			decision_period: 14 * DAYS,
			confirm_period: DAYS,
			min_enactment_period: DAYS,
			min_approval: linear(percent(100), percent(50)),
			min_support: linear(percent(30), percent(1)),
		},
	},
	// Treasury spends are many and bounded (1,000,000 OPEN each, see `TreasurerSpendLimit`):
	// - ten decisions at once;
	// - 1,000 OPEN to start one, affordable for a grant applicant;
	// - an hour to prepare, a week to decide, a day of continuous approval, a day to enactment;
	// - approval from 100% to a majority; support from 20% to 0.5%.
	Track {
		id: TREASURER,
		info: TrackInfo {
			name: name("treasurer"),
			max_deciding: 10,
			decision_deposit: 1_000 * OPEN,
			prepare_period: HOURS,
			decision_period: 7 * DAYS,
			confirm_period: DAYS,
			min_enactment_period: DAYS,
			min_approval: linear(percent(100), percent(50)),
			min_support: linear(percent(20), permille(5)),
		},
	},
	// Moderation must be quick (a record that should not be public is public until it is
	// removed) and is narrow (it cannot touch balances beyond a deposit or an agent's bond):
	// - 25 decisions at once;
	// - 500 OPEN to start one, so that reporting abuse is cheap but not free;
	// - ten minutes to prepare, two days to decide, an hour of continuous approval, ten
	//   minutes to enactment;
	// - approval from 100% to a majority; support from 10% to 0.5%.
	Track {
		id: MODERATOR,
		info: TrackInfo {
			name: name("moderator"),
			max_deciding: 25,
			decision_deposit: 500 * OPEN,
			prepare_period: 10 * MINUTES,
			decision_period: 2 * DAYS,
			confirm_period: HOURS,
			min_enactment_period: 10 * MINUTES,
			min_approval: linear(percent(100), percent(50)),
			min_support: linear(percent(10), permille(5)),
		},
	},
];

/// The periods of every track with [`Pace::Fast`], in blocks: one to prepare, twenty (two
/// minutes of 6-second blocks) to decide, two of continuous approval, one to enactment.
pub mod fast {
	use crate::BlockNumber;
	/// Blocks before a decision may start.
	pub const PREPARE: BlockNumber = 1;
	/// Blocks to decide.
	pub const DECISION: BlockNumber = 20;
	/// Blocks of continuous approval.
	pub const CONFIRM: BlockNumber = 2;
	/// Blocks from approval to enactment.
	pub const ENACTMENT: BlockNumber = 1;
}

/// [`PRODUCTION`] with the periods of [`fast`].
pub const FAST: Table = {
	let mut table = PRODUCTION;
	let mut i = 0;
	while i < table.len() {
		table[i].info.prepare_period = fast::PREPARE;
		table[i].info.decision_period = fast::DECISION;
		table[i].info.confirm_period = fast::CONFIRM;
		table[i].info.min_enactment_period = fast::ENACTMENT;
		i += 1;
	}
	table
};

/// The track table of this chain's [`Pace`].
pub fn table() -> &'static Table {
	match GovernancePace::<Runtime>::get() {
		Pace::Production => &PRODUCTION,
		Pace::Fast => &FAST,
	}
}

/// The tracks of [`pallet_referenda`].
pub struct TracksInfo;

impl pallet_referenda::TracksInfo<Balance, BlockNumber> for TracksInfo {
	type Id = TrackId;
	type RuntimeOrigin = OriginCaller;

	fn tracks() -> impl Iterator<Item = Cow<'static, Track<TrackId, Balance, BlockNumber>>> {
		table().iter().map(Cow::Borrowed)
	}

	fn track_for(origin: &OriginCaller) -> Result<TrackId, ()> {
		match origin {
			OriginCaller::system(frame_system::RawOrigin::Root) => Ok(ROOT),
			OriginCaller::Origins(Origin::AttributionAdmin) => Ok(ATTRIBUTION_ADMIN),
			OriginCaller::Origins(Origin::Economics) => Ok(ECONOMICS),
			OriginCaller::Origins(Origin::Treasurer) => Ok(TREASURER),
			OriginCaller::Origins(Origin::Moderator) => Ok(MODERATOR),
			_ => Err(()),
		}
	}
}
