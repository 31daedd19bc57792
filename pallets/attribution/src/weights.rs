// This file is part of the OpenLedger node. SPDX-License-Identifier: Apache-2.0
//
// Placeholder until `scripts/benchmark.sh pallet_attribution` measures it: estimates from the
// database operations of each call, with generous compute.

//! Weights for `pallet_attribution`.

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use frame_support::{traits::Get, weights::{Weight, constants::RocksDbWeight}};
use core::marker::PhantomData;

/// The weight of each call of `pallet_attribution`.
pub trait WeightInfo {
	fn on_initialize(e: u32, ) -> Weight;
	fn submit_training(a: u32, ) -> Weight;
	fn submit_inference(a: u32, k: u32, ) -> Weight;
	fn add_attestor(a: u32, ) -> Weight;
	fn remove_attestor(a: u32, ) -> Weight;
	fn set_params() -> Weight;
	fn reinstate() -> Weight;
}

/// Weights for `pallet_attribution` with the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn on_initialize(e: u32, ) -> Weight {
		Weight::from_parts(5_000_000, 0)
			.saturating_add(Weight::from_parts(100_000_000, 10_000).saturating_mul(e.into()))
			.saturating_add(T::DbWeight::get().reads_writes(8, 8).saturating_mul(e.into()))
	}
	fn submit_training(a: u32, ) -> Weight {
		Weight::from_parts(200_000_000, 20_000)
			.saturating_add(Weight::from_parts(20_000_000, 3_000).saturating_mul(a.into()))
			.saturating_add(T::DbWeight::get().reads_writes(8, 8))
			.saturating_add(T::DbWeight::get().reads_writes(2, 2).saturating_mul(a.into()))
	}
	fn submit_inference(a: u32, k: u32, ) -> Weight {
		Weight::from_parts(300_000_000, 20_000)
			.saturating_add(Weight::from_parts(30_000_000, 3_000).saturating_mul(a.into()))
			.saturating_add(Weight::from_parts(5_000_000, 100).saturating_mul(k.into()))
			.saturating_add(T::DbWeight::get().reads_writes(12, 12))
			.saturating_add(T::DbWeight::get().reads_writes(2, 2).saturating_mul(a.into()))
	}
	fn add_attestor(a: u32, ) -> Weight {
		Weight::from_parts(20_000_000, 2_000)
			.saturating_add(Weight::from_parts(100_000, 32).saturating_mul(a.into()))
			.saturating_add(T::DbWeight::get().reads_writes(1, 1))
	}
	fn remove_attestor(a: u32, ) -> Weight {
		Weight::from_parts(20_000_000, 2_000)
			.saturating_add(Weight::from_parts(100_000, 32).saturating_mul(a.into()))
			.saturating_add(T::DbWeight::get().reads_writes(1, 3))
	}
	fn set_params() -> Weight {
		Weight::from_parts(10_000_000, 0)
			.saturating_add(T::DbWeight::get().writes(1))
	}
	fn reinstate() -> Weight {
		Weight::from_parts(15_000_000, 3_000)
			.saturating_add(T::DbWeight::get().reads_writes(1, 2))
	}
}

// For tests.
impl WeightInfo for () {
	fn on_initialize(e: u32, ) -> Weight {
		Weight::from_parts(5_000_000, 0)
			.saturating_add(RocksDbWeight::get().reads_writes(8, 8).saturating_mul(e.into()))
	}
	fn submit_training(a: u32, ) -> Weight {
		Weight::from_parts(200_000_000, 20_000)
			.saturating_add(RocksDbWeight::get().reads_writes(2, 2).saturating_mul(a.into()))
	}
	fn submit_inference(a: u32, k: u32, ) -> Weight {
		Weight::from_parts(300_000_000, 20_000)
			.saturating_add(Weight::from_parts(5_000_000, 100).saturating_mul(k.into()))
			.saturating_add(RocksDbWeight::get().reads_writes(2, 2).saturating_mul(a.into()))
	}
	fn add_attestor(a: u32, ) -> Weight {
		Weight::from_parts(20_000_000, 2_000).saturating_add(Weight::from_parts(100_000, 32).saturating_mul(a.into()))
	}
	fn remove_attestor(a: u32, ) -> Weight {
		Weight::from_parts(20_000_000, 2_000).saturating_add(Weight::from_parts(100_000, 32).saturating_mul(a.into()))
	}
	fn set_params() -> Weight {
		Weight::from_parts(10_000_000, 0)
	}
	fn reinstate() -> Weight {
		Weight::from_parts(15_000_000, 3_000)
	}
}
