//! Benchmarks of every call, at its worst case.

use super::*;
use alloc::vec;
use frame_benchmarking::v2::*;
use frame_support::traits::{fungible::Mutate, EnsureOrigin, Get};
use frame_system::RawOrigin;
use sp_runtime::{
	traits::{Bounded, Saturating},
	Perbill,
};

fn funded<T: Config>() -> T::AccountId {
	let who: T::AccountId = account("owner", 0, 0);
	T::Currency::set_balance(&who, BalanceOf::<T>::max_value() / 4u32.into());
	who
}

fn registered<T: Config>() -> (T::AccountId, AgentId) {
	let owner = funded::<T>();
	let metadata = vec![b'm'; T::MaxMetadataLen::get() as usize];
	let id =
		Pallet::<T>::do_register(owner.clone(), T::BenchmarkHelper::model(), metadata, 1u32.into())
			.expect("a valid agent");
	(owner, id)
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn register() {
		let owner = funded::<T>();
		let model = T::BenchmarkHelper::model();
		let metadata = vec![b'm'; T::MaxMetadataLen::get() as usize];
		let id = NextAgentId::<T>::get();
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), model, metadata, 1u32.into());
		assert!(Agents::<T>::contains_key(id));
	}

	#[benchmark]
	fn set_metadata() {
		let (owner, id) = registered::<T>();
		let metadata = vec![b'n'; T::MaxMetadataLen::get() as usize];
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), id, metadata);
		assert!(Agents::<T>::contains_key(id));
	}

	#[benchmark]
	fn set_fee() {
		let (owner, id) = registered::<T>();
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), id, 9u32.into());
		assert_eq!(Agents::<T>::get(id).map(|a| a.fee), Some(9u32.into()));
	}

	#[benchmark]
	fn unregister() {
		let (owner, id) = registered::<T>();
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), id);
		assert!(matches!(
			Agents::<T>::get(id).map(|a| a.status),
			Some(AgentStatus::Unbonding { .. })
		));
	}

	#[benchmark]
	fn withdraw_bond() {
		let (owner, id) = registered::<T>();
		Pallet::<T>::unregister(RawOrigin::Signed(owner.clone()).into(), id).unwrap();
		let later =
			frame_system::Pallet::<T>::block_number().saturating_add(T::UnbondingPeriod::get());
		frame_system::Pallet::<T>::set_block_number(later);
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), id);
		assert!(!Agents::<T>::contains_key(id));
	}

	#[benchmark]
	fn slash() -> Result<(), BenchmarkError> {
		let (_, id) = registered::<T>();
		T::Currency::set_balance(
			&T::TreasuryAccount::get(),
			BalanceOf::<T>::max_value() / 4u32.into(),
		);
		let origin =
			T::ModeratorOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, id, Perbill::from_percent(50));
		Ok(())
	}

	#[benchmark]
	fn invoke() {
		let owner = funded::<T>();
		let model = T::BenchmarkHelper::active_model();
		let agent = Pallet::<T>::do_register(owner.clone(), model, vec![], 1u32.into())
			.expect("a valid agent");
		let caller: T::AccountId = account("caller", 0, 0);
		T::Currency::set_balance(&caller, BalanceOf::<T>::max_value() / 4u32.into());
		let id = NextInferenceId::<T>::get();
		// The longest input the model's Datanet takes: its dims for Dense, `MaxInputLen` bytes
		// of text for Text.
		let input = match T::Models::model(model)
			.and_then(|m| m.datanet())
			.and_then(T::Datanets::schema)
			.expect("the model's Datanet exists")
		{
			openledger_primitives::datanets::Schema::Dense { dims, .. } => vec![1; dims as usize],
			openledger_primitives::datanets::Schema::Text { .. } => {
				vec![b'a'; T::MaxInputLen::get() as usize]
			},
		};
		T::BenchmarkHelper::most_attestors();
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), agent, input, BalanceOf::<T>::max_value());
		assert!(Inferences::<T>::contains_key(id));
	}

	#[benchmark]
	fn set_min_fee() -> Result<(), BenchmarkError> {
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, 7u32.into());
		assert_eq!(MinFee::<T>::get(), 7u32.into());
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
