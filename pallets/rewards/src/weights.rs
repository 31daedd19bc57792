// This file is part of the OpenLedger node. SPDX-License-Identifier: Apache-2.0
//
// Placeholder until `scripts/benchmark.sh pallet_rewards` measures it: estimates from the
// database operations of each call, with generous compute.

//! Weights for `pallet_rewards`.

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use frame_support::{traits::Get, weights::{Weight, constants::RocksDbWeight}};
use core::marker::PhantomData;

/// The weight of each call of `pallet_rewards`.
pub trait WeightInfo {
	fn on_initialize(e: u32, ) -> Weight;
	fn claim() -> Weight;
	fn set_reward_split() -> Weight;
	fn set_emission() -> Weight;
}

/// Weights for `pallet_rewards` with the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn on_initialize(e: u32, ) -> Weight {
		Weight::from_parts(5_000_000, 0)
			.saturating_add(Weight::from_parts(30_000_000, 3_000).saturating_mul(e.into()))
			.saturating_add(T::DbWeight::get().reads_writes(2, 2))
			.saturating_add(T::DbWeight::get().reads_writes(3, 4).saturating_mul(e.into()))
	}
	fn claim() -> Weight {
		Weight::from_parts(80_000_000, 6_000)
			.saturating_add(T::DbWeight::get().reads_writes(4, 4))
	}
	fn set_reward_split() -> Weight {
		Weight::from_parts(10_000_000, 0).saturating_add(T::DbWeight::get().writes(1))
	}
	fn set_emission() -> Weight {
		Weight::from_parts(10_000_000, 0).saturating_add(T::DbWeight::get().writes(1))
	}
}

// For tests.
impl WeightInfo for () {
	fn on_initialize(e: u32, ) -> Weight {
		Weight::from_parts(5_000_000, 0).saturating_add(Weight::from_parts(30_000_000, 3_000).saturating_mul(e.into()))
	}
	fn claim() -> Weight {
		Weight::from_parts(80_000_000, 6_000)
	}
	fn set_reward_split() -> Weight {
		Weight::from_parts(10_000_000, 0)
	}
	fn set_emission() -> Weight {
		Weight::from_parts(10_000_000, 0)
	}
}
