//! Benchmarks of every call, at its worst case.

use super::*;
use alloc::vec;
use frame_benchmarking::v2::*;
use frame_support::traits::{fungible::Mutate, EnsureOrigin, Get};
use frame_system::RawOrigin;
use sp_runtime::{traits::Bounded, Perbill};

fn funded<T: Config>() -> T::AccountId {
	let who: T::AccountId = account("owner", 0, 0);
	T::Currency::set_balance(&who, BalanceOf::<T>::max_value() / 4u32.into());
	who
}

fn spec<T: Config>() -> ModelSpec {
	ModelSpec {
		featurizer: Featurizer::Raw,
		architecture: Architecture::Mlp2 { hidden: [T::MaxHidden::get(); 2] },
		epochs: T::MaxEpochs::get(),
		learning_rate: Perbill::from_percent(5),
		batch_size: T::MaxBatchSize::get(),
		l2: Perbill::from_parts(10_000),
		seed: 1,
		method: AttributionMethod::Influence,
	}
}

/// Lifts the cost limit, so that the largest spec registers on the helper's version.
fn unlimited<T: Config>() {
	CostLimit::<T>::put(SpecCost { bytes: u64::MAX, flops: u64::MAX, query_flops: u64::MAX });
}

fn registered<T: Config>() -> (T::AccountId, ModelId) {
	unlimited::<T>();
	let owner = funded::<T>();
	let (datanet, version) = T::BenchmarkHelper::dense_datanet_version();
	let metadata = vec![b'm'; T::MaxMetadataLen::get() as usize];
	let id = Pallet::<T>::do_register(
		owner.clone(),
		&[(datanet, version, 1)],
		spec::<T>(),
		1u32.into(),
		metadata,
	)
	.expect("a valid model");
	(owner, id)
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn register() {
		unlimited::<T>();
		let owner = funded::<T>();
		let (datanet, version) = T::BenchmarkHelper::dense_datanet_version();
		let metadata = vec![b'm'; T::MaxMetadataLen::get() as usize];
		let id = NextModelId::<T>::get();
		T::BenchmarkHelper::most_attestors();
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), datanet, version, spec::<T>(), 1u32.into(), metadata);
		assert!(Models::<T>::contains_key(id));
	}

	#[benchmark]
	fn set_fee() {
		let (owner, id) = registered::<T>();
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), id, 7u32.into());
		assert_eq!(Models::<T>::get(id).map(|m| m.fee), Some(7u32.into()));
	}

	#[benchmark]
	fn retire() {
		T::BenchmarkHelper::most_attestors();
		let (owner, id) = registered::<T>();
		T::BenchmarkHelper::full_training_job(id);
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), id);
		assert_eq!(Models::<T>::get(id).map(|m| m.status), Some(ModelStatus::Retired));
	}

	#[benchmark]
	fn set_cost_limit() -> Result<(), BenchmarkError> {
		let limit = SpecCost { bytes: 1 << 30, flops: 1_000_000_000_000, query_flops: 1 << 30 };
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, limit);
		assert_eq!(CostLimit::<T>::get(), limit);
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
