//! Benchmarks of every call, at its worst case: the submission that reaches the quorum and
//! aggregates every attestor's answer, with disagreement to strike.

use super::*;
use alloc::{vec, vec::Vec};
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{EnsureOrigin, Get, Hooks},
	BoundedVec,
};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use sp_core::H256;
use sp_runtime::{traits::One, Perbill};

/// `n` attestors, set with a quorum of `n`.
fn attestors<T: Config>(n: u32) -> Vec<T::AccountId> {
	let set: Vec<T::AccountId> = (0..n).map(|i| account("attestor", i, 0)).collect();
	Attestors::<T>::put(BoundedVec::truncate_from(set.clone()));
	ConsensusParams::<T>::put(Params {
		quorum: n.max(1),
		tolerance: 0,
		max_strikes: 1_000,
		committee_size: n.max(1),
	});
	set
}

/// The job opened last.
fn last_job<T: Config>() -> JobId {
	NextJobId::<T>::get() - 1
}

/// `k` shares on records `offset..offset + k`, summing to one.
fn shares(offset: u32, k: u32) -> Vec<RecordShare> {
	let parts = openledger_primitives::attribution::largest_remainder(&vec![1; k as usize]);
	parts
		.into_iter()
		.enumerate()
		.map(|(i, p)| RecordShare {
			record: offset + i as u32,
			share: Perbill::from_parts(p as u32),
		})
		.collect()
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn submit_training(a: Linear<1, { T::MaxAttestors::get() }>) {
		let set = attestors::<T>(a);
		let model = T::BenchmarkHelper::training_model(1);
		let job = last_job::<T>();
		// Every other earlier attestor reports another hash, to be struck; all run one engine
		// version, so that every submission is aggregated (the worst case).
		for (i, who) in set.iter().take(a as usize - 1).enumerate() {
			let outcome = TrainOutcome {
				engine_version: 1,
				accuracy: Perbill::from_percent(90),
				weights_hash: H256::repeat_byte((i % 2) as u8),
				records: 1,
				held_out: 0,
			};
			Pallet::<T>::submit_training(RawOrigin::Signed(who.clone()).into(), job, outcome)
				.expect("an open job");
		}
		let last = set[a as usize - 1].clone();
		let outcome = TrainOutcome {
			engine_version: 1,
			accuracy: Perbill::from_percent(95),
			weights_hash: H256::zero(),
			records: 1,
			held_out: 0,
		};
		#[extrinsic_call]
		_(RawOrigin::Signed(last), job, outcome);
		assert!(Trainings::<T>::contains_key(model));
	}

	#[benchmark]
	fn submit_inference(
		a: Linear<1, { T::MaxAttestors::get() }>,
		k: Linear<1, { T::MaxTopK::get() }>,
	) {
		let set = attestors::<T>(a);
		let model = T::BenchmarkHelper::training_model(T::MaxTopK::get() + 1);
		T::BenchmarkHelper::activate(model);
		let inference = T::BenchmarkHelper::inference(model);
		let job = last_job::<T>();
		// Earlier attestors name `k` records each, half of them shifted by one record.
		for (i, who) in set.iter().take(a as usize - 1).enumerate() {
			let offset = (i % 2) as u32;
			Pallet::<T>::submit_inference(
				RawOrigin::Signed(who.clone()).into(),
				job,
				1,
				0,
				Perbill::from_percent(80),
				shares(offset, k),
			)
			.expect("an open job");
		}
		let last = set[a as usize - 1].clone();
		#[extrinsic_call]
		_(RawOrigin::Signed(last), job, 1, 0, Perbill::from_percent(90), shares(0, k));
		assert!(Inferences::<T>::contains_key(inference));
	}

	#[benchmark]
	fn add_attestor(a: Linear<0, { T::MaxAttestors::get() - 1 }>) -> Result<(), BenchmarkError> {
		attestors::<T>(a);
		let new: T::AccountId = account("new", 0, 0);
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, new.clone());
		assert!(Attestors::<T>::get().contains(&new));
		Ok(())
	}

	#[benchmark]
	fn remove_attestor(a: Linear<1, { T::MaxAttestors::get() }>) -> Result<(), BenchmarkError> {
		let set = attestors::<T>(a);
		let gone = set[a as usize - 1].clone();
		Strikes::<T>::insert(
			&gone,
			StrikeRecord { count: 3, at: frame_system::Pallet::<T>::block_number() },
		);
		Suspended::<T>::insert(&gone, ());
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, gone.clone());
		assert!(!Attestors::<T>::get().contains(&gone));
		Ok(())
	}

	#[benchmark]
	fn set_params() -> Result<(), BenchmarkError> {
		let params = Params { quorum: 3, tolerance: 1, max_strikes: 5, committee_size: 3 };
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, params);
		assert_eq!(ConsensusParams::<T>::get(), params);
		Ok(())
	}

	#[benchmark]
	fn reinstate() -> Result<(), BenchmarkError> {
		let set = attestors::<T>(1);
		Strikes::<T>::insert(
			&set[0],
			StrikeRecord { count: 3, at: frame_system::Pallet::<T>::block_number() },
		);
		Suspended::<T>::insert(&set[0], ());
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, set[0].clone());
		assert!(!Suspended::<T>::contains_key(&set[0]));
		Ok(())
	}

	/// `e` inference jobs expire as the block starts, each refunded.
	#[benchmark]
	fn on_initialize(e: Linear<0, 32>) {
		let model = T::BenchmarkHelper::training_model(1);
		T::BenchmarkHelper::activate(model);
		for _ in 0..e {
			T::BenchmarkHelper::inference(model);
		}
		let deadline = frame_system::Pallet::<T>::block_number() + T::InferencePeriod::get();
		let now: BlockNumberFor<T> = deadline + One::one();
		frame_system::Pallet::<T>::set_block_number(now);
		#[block]
		{
			Pallet::<T>::on_initialize(now);
		}
		assert_eq!(Deadlines::<T>::iter_prefix(deadline).count(), 0);
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
