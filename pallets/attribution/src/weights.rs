// This file is part of the OpenLedger node. SPDX-License-Identifier: Apache-2.0
//
// Written by hand, not generated: see the note below.

//! Weights for `pallet_attribution`.
//!
//! ESTIMATES, not measurements. Commit-reveal and bonds replaced `submit_training` and
//! `submit_inference`, and the benchmarking node (a separate `runtime-benchmarks` build) could
//! not be built and run in the session that made the change. Each weight below is scaled from
//! the measured weights of the calls it replaced (2026-11-24, debug benchmarking node, steps 50,
//! repeat 20): `commit` and `bond` from `add_attestor` plus their storage; `reveal` from
//! `submit_inference`, which did the same aggregation work, plus one slash (a hold transfer:
//! four more reads and writes) per member; `on_initialize` per job as the reveal that decides,
//! and per matured result as its payout; `challenge` as `bond` plus opening a job.
//! The benchmarks in `benchmarking.rs` cover every call; `scripts/benchmark.sh
//! pallet_attribution` regenerates this file from them (issue 13).

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use frame_support::{traits::Get, weights::{Weight, constants::RocksDbWeight}};
use core::marker::PhantomData;

/// The weight of each call of `pallet_attribution`.
pub trait WeightInfo {
	fn commit(a: u32, ) -> Weight;
	fn reveal(a: u32, k: u32, ) -> Weight;
	fn bond(a: u32, ) -> Weight;
	fn unbond(a: u32, ) -> Weight;
	fn withdraw_unbonded() -> Weight;
	fn set_stake_params() -> Weight;
	fn add_attestor(a: u32, ) -> Weight;
	fn remove_attestor(a: u32, ) -> Weight;
	fn set_params() -> Weight;
	fn reinstate() -> Weight;
	fn on_initialize(e: u32, ) -> Weight;
	fn on_initialize_matured(m: u32, ) -> Weight;
	fn challenge(a: u32, ) -> Weight;
}

/// Weights for `pallet_attribution` with the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	/// `Attestors`, `Suspended`, `Jobs`, `Commits`, `ConsensusParams` read; `Commits`, `Jobs` and
	/// two `Deadlines` entries written; `a` committee members checked.
	fn commit(a: u32, ) -> Weight {
		Weight::from_parts(300_000_000, 8_000)
			.saturating_add(Weight::from_parts(2_000_000, 0).saturating_mul(a.into()))
			.saturating_add(T::DbWeight::get().reads(6_u64))
			.saturating_add(T::DbWeight::get().writes(4_u64))
	}
	/// The reveal that decides: `Jobs`, `Commits` and `Reveals` drained (`a` each); per member a
	/// strike and a slash (`Strikes`, `Bonds`, `Balances::Holds`, two `System::Account`); the
	/// model, schema and version read for `k` shares; the result handed to `Agents`.
	fn reveal(a: u32, k: u32, ) -> Weight {
		Weight::from_parts(2_560_950_556, 10_779)
			.saturating_add(Weight::from_parts(200_000_000, 0).saturating_mul(a.into()))
			.saturating_add(Weight::from_parts(321_504_439, 0).saturating_mul(k.into()))
			.saturating_add(T::DbWeight::get().reads(19_u64))
			.saturating_add(T::DbWeight::get().reads((8_u64).saturating_mul(a.into())))
			.saturating_add(T::DbWeight::get().reads((7_u64).saturating_mul(k.into())))
			.saturating_add(T::DbWeight::get().writes(12_u64))
			.saturating_add(T::DbWeight::get().writes((7_u64).saturating_mul(a.into())))
			.saturating_add(T::DbWeight::get().writes((4_u64).saturating_mul(k.into())))
			.saturating_add(Weight::from_parts(0, 12_000).saturating_mul(a.into()))
			.saturating_add(Weight::from_parts(0, 4_585).saturating_mul(k.into()))
	}
	/// `Bonds` of the account and of `a` attestors (to find the smallest), `StakeParams`,
	/// `Attestors`; a hold (`Balances::Holds`, `System::Account`); the displaced bond written.
	fn bond(a: u32, ) -> Weight {
		Weight::from_parts(400_000_000, 6_000)
			.saturating_add(Weight::from_parts(5_000_000, 0).saturating_mul(a.into()))
			.saturating_add(T::DbWeight::get().reads(6_u64))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(a.into())))
			.saturating_add(T::DbWeight::get().writes(6_u64))
			.saturating_add(Weight::from_parts(0, 2_600).saturating_mul(a.into()))
	}
	/// `Attestors` read and written; `Strikes`, `Suspended` removed; `StakeParams` and `Bonds`
	/// read, `Bonds` written.
	fn unbond(a: u32, ) -> Weight {
		Weight::from_parts(300_000_000, 4_000)
			.saturating_add(Weight::from_parts(100_000, 0).saturating_mul(a.into()))
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(4_u64))
	}
	/// `Bonds` read and removed; a release (`Balances::Holds`, `System::Account`).
	fn withdraw_unbonded() -> Weight {
		Weight::from_parts(350_000_000, 4_000)
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(3_u64))
	}
	/// `StakeParams` written.
	fn set_stake_params() -> Weight {
		Weight::from_parts(84_666_000, 0)
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// Storage: `Attribution::Attestors` (r:1 w:1)
	/// Proof: `Attribution::Attestors` (`max_values`: Some(1), `max_size`: Some(1025), added: 1520, mode: `MaxEncodedLen`)
	/// The range of component `a` is `[0, 31]`.
	fn add_attestor(a: u32, ) -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `65 + a * (32 ±0)`
		//  Estimated: `2510`
		// Minimum execution time: 160_326_000 picoseconds.
		Weight::from_parts(176_844_701, 2510)
			// Standard Error: 14_019
			.saturating_add(Weight::from_parts(80_409, 0).saturating_mul(a.into()))
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// Storage: `Attribution::Attestors` (r:1 w:1)
	/// Proof: `Attribution::Attestors` (`max_values`: Some(1), `max_size`: Some(1025), added: 1520, mode: `MaxEncodedLen`)
	/// Storage: `Attribution::Strikes` (r:0 w:1)
	/// Proof: `Attribution::Strikes` (`max_values`: None, `max_size`: Some(52), added: 2527, mode: `MaxEncodedLen`)
	/// Storage: `Attribution::Suspended` (r:0 w:1)
	/// Proof: `Attribution::Suspended` (`max_values`: None, `max_size`: Some(48), added: 2523, mode: `MaxEncodedLen`)
	/// The range of component `a` is `[1, 32]`.
	fn remove_attestor(_a: u32, ) -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `131 + a * (32 ±0)`
		//  Estimated: `2510`
		// Minimum execution time: 229_956_000 picoseconds.
		Weight::from_parts(239_806_834, 2510)
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(3_u64))
	}
	/// Storage: `Attribution::ConsensusParams` (r:0 w:1)
	/// Proof: `Attribution::ConsensusParams` (`max_values`: Some(1), `max_size`: Some(12), added: 507, mode: `MaxEncodedLen`)
	fn set_params() -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `0`
		//  Estimated: `0`
		// Minimum execution time: 79_984_000 picoseconds.
		Weight::from_parts(84_666_000, 0)
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// Storage: `Attribution::Suspended` (r:1 w:1)
	/// Proof: `Attribution::Suspended` (`max_values`: None, `max_size`: Some(48), added: 2523, mode: `MaxEncodedLen`)
	/// Storage: `Attribution::Strikes` (r:0 w:1)
	/// Proof: `Attribution::Strikes` (`max_values`: None, `max_size`: Some(52), added: 2527, mode: `MaxEncodedLen`)
	fn reinstate() -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `177`
		//  Estimated: `3513`
		// Minimum execution time: 239_424_000 picoseconds.
		Weight::from_parts(246_902_000, 3513)
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	/// Storage: `Attribution::Deadlines` (r:33 w:32)
	/// Proof: `Attribution::Deadlines` (`max_values`: None, `max_size`: Some(28), added: 2503, mode: `MaxEncodedLen`)
	/// Storage: `Attribution::Jobs` (r:32 w:32)
	/// Proof: `Attribution::Jobs` (`max_values`: None, `max_size`: Some(4135), added: 6610, mode: `MaxEncodedLen`)
	/// Storage: `Attribution::Submissions` (r:32 w:0)
	/// Proof: `Attribution::Submissions` (`max_values`: None, `max_size`: Some(200), added: 2675, mode: `MaxEncodedLen`)
	/// Storage: `Agents::Inferences` (r:32 w:32)
	/// Proof: `Agents::Inferences` (`max_values`: None, `max_size`: Some(99), added: 2574, mode: `MaxEncodedLen`)
	/// Storage: `System::Account` (r:1 w:1)
	/// Proof: `System::Account` (`max_values`: None, `max_size`: Some(128), added: 2603, mode: `MaxEncodedLen`)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Proof: `Balances::Holds` (`max_values`: None, `max_size`: Some(139), added: 2614, mode: `MaxEncodedLen`)
	/// The range of component `e` is `[0, 32]`.
	fn on_initialize(e: u32, ) -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `594 + e * (232 ±0)`
		//  Estimated: `3604 + e * (6610 ±0)`
		// Minimum execution time: 72_728_000 picoseconds.
		Weight::from_parts(267_975_660, 3604)
			// Standard Error: 403_289
			.saturating_add(Weight::from_parts(2_560_950_556 + 16 * 200_000_000, 0).saturating_mul(e.into()))
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().reads((40_u64).saturating_mul(e.into())))
			.saturating_add(T::DbWeight::get().writes(2_u64))
			.saturating_add(T::DbWeight::get().writes((40_u64).saturating_mul(e.into())))
			.saturating_add(Weight::from_parts(0, 6610).saturating_mul(e.into()))
	}
	/// Per matured result: `Maturities` drained, `Pending` taken, and the payout of `reveal`'s
	/// decision (`Agents::Inferences`, a hold transfer, the rewards split over 16 records).
	fn on_initialize_matured(m: u32, ) -> Weight {
		Weight::from_parts(0, 0)
			.saturating_add(Weight::from_parts(2_000_000_000 + 16 * 321_504_439, 0).saturating_mul(m.into()))
			.saturating_add(T::DbWeight::get().reads((8_u64 + 7 * 16).saturating_mul(m.into())))
			.saturating_add(T::DbWeight::get().writes((6_u64 + 4 * 16).saturating_mul(m.into())))
			.saturating_add(Weight::from_parts(0, 6_610 + 16 * 4_585).saturating_mul(m.into()))
	}
	/// `Attestors`, `Suspended`, `Pending`, `StakeParams`, `ConsensusParams`, `NextJobId`; a
	/// hold; a committee drawn from `a` attestors; the recheck job and its deadline written.
	fn challenge(a: u32, ) -> Weight {
		Weight::from_parts(600_000_000, 12_000)
			.saturating_add(Weight::from_parts(5_000_000, 0).saturating_mul(a.into()))
			.saturating_add(T::DbWeight::get().reads(8_u64))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(a.into())))
			.saturating_add(T::DbWeight::get().writes(8_u64))
	}
}

/// The same weights with RocksDB database weights, for tests.
impl WeightInfo for () {
	fn commit(a: u32, ) -> Weight {
		Weight::from_parts(300_000_000, 8_000)
			.saturating_add(Weight::from_parts(2_000_000, 0).saturating_mul(a.into()))
			.saturating_add(RocksDbWeight::get().reads(6_u64))
			.saturating_add(RocksDbWeight::get().writes(4_u64))
	}
	fn reveal(a: u32, k: u32, ) -> Weight {
		Weight::from_parts(2_560_950_556, 10_779)
			.saturating_add(Weight::from_parts(200_000_000, 0).saturating_mul(a.into()))
			.saturating_add(Weight::from_parts(321_504_439, 0).saturating_mul(k.into()))
			.saturating_add(RocksDbWeight::get().reads(19_u64))
			.saturating_add(RocksDbWeight::get().reads((8_u64).saturating_mul(a.into())))
			.saturating_add(RocksDbWeight::get().reads((7_u64).saturating_mul(k.into())))
			.saturating_add(RocksDbWeight::get().writes(12_u64))
			.saturating_add(RocksDbWeight::get().writes((7_u64).saturating_mul(a.into())))
			.saturating_add(RocksDbWeight::get().writes((4_u64).saturating_mul(k.into())))
			.saturating_add(Weight::from_parts(0, 12_000).saturating_mul(a.into()))
			.saturating_add(Weight::from_parts(0, 4_585).saturating_mul(k.into()))
	}
	fn bond(a: u32, ) -> Weight {
		Weight::from_parts(400_000_000, 6_000)
			.saturating_add(Weight::from_parts(5_000_000, 0).saturating_mul(a.into()))
			.saturating_add(RocksDbWeight::get().reads(6_u64))
			.saturating_add(RocksDbWeight::get().reads((1_u64).saturating_mul(a.into())))
			.saturating_add(RocksDbWeight::get().writes(6_u64))
			.saturating_add(Weight::from_parts(0, 2_600).saturating_mul(a.into()))
	}
	fn unbond(a: u32, ) -> Weight {
		Weight::from_parts(300_000_000, 4_000)
			.saturating_add(Weight::from_parts(100_000, 0).saturating_mul(a.into()))
			.saturating_add(RocksDbWeight::get().reads(3_u64))
			.saturating_add(RocksDbWeight::get().writes(4_u64))
	}
	fn withdraw_unbonded() -> Weight {
		Weight::from_parts(350_000_000, 4_000)
			.saturating_add(RocksDbWeight::get().reads(3_u64))
			.saturating_add(RocksDbWeight::get().writes(3_u64))
	}
	fn set_stake_params() -> Weight {
		Weight::from_parts(84_666_000, 0)
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	fn add_attestor(a: u32, ) -> Weight {
		Weight::from_parts(176_844_701, 2510)
			.saturating_add(Weight::from_parts(80_409, 0).saturating_mul(a.into()))
			.saturating_add(RocksDbWeight::get().reads(1_u64))
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	fn remove_attestor(_a: u32, ) -> Weight {
		Weight::from_parts(239_806_834, 2510)
			.saturating_add(RocksDbWeight::get().reads(1_u64))
			.saturating_add(RocksDbWeight::get().writes(3_u64))
	}
	fn set_params() -> Weight {
		Weight::from_parts(84_666_000, 0)
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	fn reinstate() -> Weight {
		Weight::from_parts(246_902_000, 3513)
			.saturating_add(RocksDbWeight::get().reads(1_u64))
			.saturating_add(RocksDbWeight::get().writes(2_u64))
	}
	fn on_initialize(e: u32, ) -> Weight {
		Weight::from_parts(267_975_660, 3604)
			.saturating_add(Weight::from_parts(2_560_950_556 + 16 * 200_000_000, 0).saturating_mul(e.into()))
			.saturating_add(RocksDbWeight::get().reads(3_u64))
			.saturating_add(RocksDbWeight::get().reads((40_u64).saturating_mul(e.into())))
			.saturating_add(RocksDbWeight::get().writes(2_u64))
			.saturating_add(RocksDbWeight::get().writes((40_u64).saturating_mul(e.into())))
			.saturating_add(Weight::from_parts(0, 6610).saturating_mul(e.into()))
	}
	fn on_initialize_matured(m: u32, ) -> Weight {
		Weight::from_parts(0, 0)
			.saturating_add(Weight::from_parts(2_000_000_000 + 16 * 321_504_439, 0).saturating_mul(m.into()))
			.saturating_add(RocksDbWeight::get().reads((8_u64 + 7 * 16).saturating_mul(m.into())))
			.saturating_add(RocksDbWeight::get().writes((6_u64 + 4 * 16).saturating_mul(m.into())))
			.saturating_add(Weight::from_parts(0, 6_610 + 16 * 4_585).saturating_mul(m.into()))
	}
	fn challenge(a: u32, ) -> Weight {
		Weight::from_parts(600_000_000, 12_000)
			.saturating_add(Weight::from_parts(5_000_000, 0).saturating_mul(a.into()))
			.saturating_add(RocksDbWeight::get().reads(8_u64))
			.saturating_add(RocksDbWeight::get().reads((1_u64).saturating_mul(a.into())))
			.saturating_add(RocksDbWeight::get().writes(8_u64))
	}
}
