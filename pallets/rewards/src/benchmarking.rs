//! Benchmarks of every call, at its worst case.

use super::*;
use frame_benchmarking::v2::*;
use frame_support::traits::{
	fungible::{Inspect, Mutate},
	EnsureOrigin, Get, Hooks,
};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use sp_runtime::{traits::Zero, Perbill};

#[benchmarks]
mod benchmarks {
	use super::*;

	/// A payout to an account that does not exist yet (the heavier case).
	#[benchmark]
	fn claim() {
		let who: T::AccountId = account("claimer", 0, 0);
		let amount = T::Currency::minimum_balance() * 10u32.into();
		T::Currency::set_balance(&Pallet::<T>::account(), amount * 2u32.into());
		Claimable::<T>::insert(&who, amount);
		TotalClaimable::<T>::put(amount);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));
		assert_eq!(T::Currency::balance(&who), amount);
	}

	#[benchmark]
	fn set_reward_split() -> Result<(), BenchmarkError> {
		let split = RewardSplit {
			contributors: Perbill::from_percent(60),
			model_owner: Perbill::from_percent(10),
			agent: Perbill::from_percent(10),
			attestors: Perbill::from_percent(15),
			treasury: Perbill::from_percent(5),
		};
		let origin =
			T::EconomicsOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, split);
		assert_eq!(Split::<T>::get(), split);
		Ok(())
	}

	#[benchmark]
	fn set_emission() -> Result<(), BenchmarkError> {
		let origin =
			T::EconomicsOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let emission = T::Currency::minimum_balance() * 1_000u32.into();
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, emission);
		assert_eq!(Emission::<T>::get(), emission);
		Ok(())
	}

	#[benchmark]
	fn set_payee() {
		let who: T::AccountId = account("contributor", 0, 0);
		let payee: T::AccountId = account("payee", 0, 0);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), Some(payee.clone()));
		assert_eq!(Payees::<T>::get(&who), Some(payee));
	}

	/// To an account that already has a claimable balance.
	#[benchmark]
	fn move_claimable() {
		let (from, to): (T::AccountId, T::AccountId) = (account("from", 0, 0), account("to", 0, 0));
		let amount = T::Currency::minimum_balance() * 10u32.into();
		Claimable::<T>::insert(&from, amount);
		Claimable::<T>::insert(&to, amount);
		#[extrinsic_call]
		_(RawOrigin::Signed(from.clone()), to.clone());
		assert_eq!(Claimable::<T>::get(&to), amount * 2u32.into());
	}

	/// A model no genesis has.
	const MODEL: u32 = u32::MAX;

	/// The holder of model [`MODEL`] with a split of `s` parts that has earned revenue.
	fn split_with_revenue<T: Config>(s: u32) -> T::AccountId {
		let holder: T::AccountId = account("holder", 0, 0);
		T::Holdings::mint(AssetKind::Model, MODEL, &holder).expect("the model is new");
		let parts: RevenuePartsOf<T> = (0..s)
			.map(|i| (account("shareholder", i, 0), i + 1))
			.collect::<alloc::vec::Vec<_>>()
			.try_into()
			.expect("at most MaxShareholders");
		RevenueSharesOf::<T>::insert(
			AssetKind::Model,
			MODEL,
			RevenueShares { holder: holder.clone(), parts },
		);
		let amount = T::Currency::minimum_balance() * 1_000u32.into();
		Revenue::<T>::insert(AssetKind::Model, MODEL, amount);
		TotalClaimable::<T>::put(amount);
		T::Currency::set_balance(&Pallet::<T>::account(), amount * 2u32.into());
		holder
	}

	/// A new split of `s` parts replaces one of `s` parts whose revenue is settled first.
	#[benchmark]
	fn set_revenue_shares(s: Linear<1, { T::MaxShareholders::get() }>) {
		let holder = split_with_revenue::<T>(s);
		let parts: RevenuePartsOf<T> = (0..s)
			.map(|i| (account("new shareholder", i, 0), 1))
			.collect::<alloc::vec::Vec<_>>()
			.try_into()
			.expect("at most MaxShareholders");
		#[extrinsic_call]
		_(RawOrigin::Signed(holder), AssetKind::Model, MODEL, parts);
		assert!(Revenue::<T>::get(AssetKind::Model, MODEL).is_zero());
	}

	/// Revenue settled to a split of `s` parts.
	#[benchmark]
	fn settle_revenue(s: Linear<1, { T::MaxShareholders::get() }>) {
		split_with_revenue::<T>(s);
		let caller: T::AccountId = account("caller", 0, 0);
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), AssetKind::Model, MODEL);
		assert!(Revenue::<T>::get(AssetKind::Model, MODEL).is_zero());
	}

	/// An epoch ends with `e` earners sharing the emission.
	#[benchmark]
	fn on_initialize(e: Linear<0, { T::MaxEpochEarners::get() }>) {
		Emission::<T>::put(T::Currency::minimum_balance() * 1_000u32.into());
		T::Currency::set_balance(&Pallet::<T>::account(), T::Currency::minimum_balance());
		for i in 0..e {
			let who: T::AccountId = account("earner", i, 0);
			EpochEarnings::<T>::insert(&who, T::Currency::minimum_balance());
		}
		let now: BlockNumberFor<T> = T::EpochLength::get();
		#[block]
		{
			Pallet::<T>::on_initialize(now);
		}
		assert!(EpochEarnings::<T>::count().is_zero());
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
