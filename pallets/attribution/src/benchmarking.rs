//! Benchmarks of every call, at its worst case: the commit that closes the commit round, the
//! reveal that takes the vote over every member with a third of them slashed, and the bond that
//! displaces the smallest of a full set.

use super::*;
use alloc::{vec, vec::Vec};
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{fungible::Mutate, EnsureOrigin, Get, Hooks},
	weights::Weight,
	BoundedVec,
};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use sp_core::H256;
use sp_runtime::{traits::One, Perbill};

/// A bond every benchmark attestor holds.
fn bond_amount<T: Config>() -> Balance {
	StakeParams::<T>::get().min_bond.max(1_000)
}

/// Funds `who` and bonds it (it joins the set if there is room).
fn bonded<T: Config>(who: &T::AccountId, amount: Balance) {
	T::Currency::set_balance(who, amount.saturating_mul(10).saturating_add(1_000_000));
	Pallet::<T>::bond(RawOrigin::Signed(who.clone()).into(), amount).expect("funded");
}

/// `n` bonded attestors, set with committees of `n` and engine version 1.
fn attestors<T: Config>(n: u32) -> Vec<T::AccountId> {
	Attestors::<T>::kill();
	let set: Vec<T::AccountId> = (0..n).map(|i| account("attestor", i, 0)).collect();
	for who in &set {
		bonded::<T>(who, bond_amount::<T>());
	}
	ConsensusParams::<T>::put(Params {
		max_strikes: 1_000,
		committee_size: n.max(1),
		engine_version: 1,
		watch_sample: Perbill::one(),
		retention: 0,
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

fn salt(i: usize) -> [u8; 32] {
	[i as u8; 32]
}

fn commit_to<T: Config>(who: &T::AccountId, job: JobId, s: &[u8; 32], o: &Outcome) {
	let commitment = Pallet::<T>::commitment(job, who, s, o);
	Pallet::<T>::commit(RawOrigin::Signed(who.clone()).into(), job, commitment)
		.expect("an open commit round");
}

/// An inference job of `a` members who all committed, a third of them (every third, from the
/// third) to an outcome naming records shifted by one, so that the rest are a majority; all
/// but the last revealed. Returns the job and the
/// last member's outcome.
fn revealing_inference<T: Config>(a: u32, k: u32) -> (Vec<T::AccountId>, JobId, Outcome) {
	let set = attestors::<T>(a);
	let model = T::BenchmarkHelper::training_model(T::MaxTopK::get() + 1);
	T::BenchmarkHelper::activate(model);
	T::BenchmarkHelper::inference(model);
	let job = last_job::<T>();
	let outcome = |i: usize| Outcome::Infer {
		engine_version: 1,
		label: 0,
		confidence: Perbill::from_percent(90),
		shares: shares(u32::from(i % 3 == 2), k),
	};
	for (i, who) in set.iter().enumerate() {
		commit_to::<T>(who, job, &salt(i), &outcome(i));
	}
	for (i, who) in set.iter().enumerate().take(a as usize - 1) {
		Pallet::<T>::reveal(RawOrigin::Signed(who.clone()).into(), job, salt(i), outcome(i))
			.expect("a committed member");
	}
	(set, job, outcome(a as usize - 1))
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// A commit that opens the reveal round after the longest scan of `commits_complete`: every
	/// other member of the committee of `a` was suspended after the draw, so each member's
	/// commitment and status is read.
	#[benchmark]
	fn commit(a: Linear<1, { T::MaxAttestors::get() }>) {
		let set = attestors::<T>(a);
		T::BenchmarkHelper::training_model(1);
		let job = last_job::<T>();
		let o = Outcome::Train(TrainOutcome {
			engine_version: 1,
			accuracy: Perbill::from_percent(90),
			weights_hash: H256::zero(),
			records: 1,
			held_out: 0,
			flags: QualityFlags::largest(),
		});
		for who in set.iter().take(a as usize - 1) {
			Suspended::<T>::insert(who, ());
		}
		let last = set[a as usize - 1].clone();
		let commitment = Pallet::<T>::commitment(job, &last, &salt(0), &o);
		#[extrinsic_call]
		_(RawOrigin::Signed(last), job, commitment);
		assert!(Jobs::<T>::get(job).is_some_and(|j| j.revealing));
	}

	/// The last reveal of `a` members, which takes the vote, slashes the losing third and pays
	/// `k` records.
	#[benchmark]
	fn reveal(a: Linear<1, { T::MaxAttestors::get() }>, k: Linear<1, { T::MaxTopK::get() }>) {
		let (set, job, outcome) = revealing_inference::<T>(a, k);
		let last = set[a as usize - 1].clone();
		#[extrinsic_call]
		_(RawOrigin::Signed(last), job, salt(a as usize - 1), outcome);
		assert!(!Jobs::<T>::contains_key(job));
	}

	/// The last reveal of `a` members, which takes the vote and slashes the losing third, while
	/// the result of `k` records waits out the challenge window (paid out later by
	/// `on_initialize`).
	#[benchmark]
	fn reveal_pending(
		a: Linear<1, { T::MaxAttestors::get() }>,
		k: Linear<1, { T::MaxTopK::get() }>,
	) {
		StakeParams::<T>::mutate(|s| s.challenge_window = 10u32.into());
		let (set, job, outcome) = revealing_inference::<T>(a, k);
		let last = set[a as usize - 1].clone();
		#[extrinsic_call]
		reveal(RawOrigin::Signed(last), job, salt(a as usize - 1), outcome);
		assert!(!Jobs::<T>::contains_key(job));
		// The agreeing two thirds are a majority.
		assert_eq!(Pending::<T>::iter().count(), 1);
	}

	/// A reveal that does not decide: the first of `a` committed members, with `k` shares; the
	/// vote waits for the others.
	#[benchmark]
	fn reveal_stored(
		a: Linear<2, { T::MaxAttestors::get() }>,
		k: Linear<1, { T::MaxTopK::get() }>,
	) {
		let set = attestors::<T>(a);
		let model = T::BenchmarkHelper::training_model(T::MaxTopK::get() + 1);
		T::BenchmarkHelper::activate(model);
		T::BenchmarkHelper::inference(model);
		let job = last_job::<T>();
		let outcome = Outcome::Infer {
			engine_version: 1,
			label: 0,
			confidence: Perbill::from_percent(90),
			shares: shares(0, k),
		};
		for (i, who) in set.iter().enumerate() {
			commit_to::<T>(who, job, &salt(i), &outcome);
		}
		#[extrinsic_call]
		reveal(RawOrigin::Signed(set[0].clone()), job, salt(0), outcome);
		assert!(Jobs::<T>::get(job).is_some_and(|j| j.reveals == 1));
	}

	/// Joining a full set, displacing the smallest bond.
	#[benchmark]
	fn bond(a: Linear<1, { T::MaxAttestors::get() }>) {
		let set = attestors::<T>(T::MaxAttestors::get());
		let new: T::AccountId = account("new", 0, 0);
		let amount = bond_amount::<T>() + 1;
		T::Currency::set_balance(&new, amount * 10 + 1_000_000);
		let _ = a;
		#[extrinsic_call]
		_(RawOrigin::Signed(new.clone()), amount);
		assert!(Attestors::<T>::get().contains(&new));
		assert!(!Attestors::<T>::get().contains(&set[set.len() - 1]));
	}

	#[benchmark]
	fn unbond(a: Linear<1, { T::MaxAttestors::get() }>) {
		let set = attestors::<T>(a);
		let gone = set[a as usize - 1].clone();
		Strikes::<T>::insert(
			&gone,
			StrikeRecord { count: 3, at: frame_system::Pallet::<T>::block_number() },
		);
		#[extrinsic_call]
		_(RawOrigin::Signed(gone.clone()));
		assert!(Bonds::<T>::get(&gone).is_some_and(|b| b.unlocks_at.is_some()));
	}

	#[benchmark]
	fn withdraw_unbonded() {
		let set = attestors::<T>(1);
		Pallet::<T>::unbond(RawOrigin::Signed(set[0].clone()).into()).expect("an attestor");
		let unlock =
			frame_system::Pallet::<T>::block_number() + StakeParams::<T>::get().unbonding_period;
		frame_system::Pallet::<T>::set_block_number(unlock);
		#[extrinsic_call]
		_(RawOrigin::Signed(set[0].clone()));
		assert!(!Bonds::<T>::contains_key(&set[0]));
	}

	#[benchmark]
	fn set_stake_params() -> Result<(), BenchmarkError> {
		let stake = Stake {
			min_bond: 7,
			lost_slash: Perbill::from_percent(20),
			unrevealed_slash: Perbill::from_percent(2),
			unbonding_period: One::one(),
			challenge_window: One::one(),
			challenge_deposit: 9,
		};
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, stake);
		assert_eq!(StakeParams::<T>::get(), stake);
		Ok(())
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
		let params = Params { max_strikes: 5, committee_size: 3, ..Params::default() };
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

	/// `e` inference jobs reach their reveal deadline as the block starts, each with every
	/// member committed and all but one revealed: each takes the vote and slashes.
	#[benchmark]
	fn on_initialize(e: Linear<0, { T::MaxSettledPerBlock::get().min(32) }>) {
		let a = T::MaxAttestors::get();
		let set = attestors::<T>(a);
		let model = T::BenchmarkHelper::training_model(T::MaxTopK::get() + 1);
		T::BenchmarkHelper::activate(model);
		let k = T::MaxTopK::get();
		let outcome = |i: usize| Outcome::Infer {
			engine_version: 1,
			label: 0,
			confidence: Perbill::from_percent(90),
			shares: shares(u32::from(i % 3 == 2), k),
		};
		for _ in 0..e {
			T::BenchmarkHelper::inference(model);
			let job = last_job::<T>();
			for (i, who) in set.iter().enumerate() {
				commit_to::<T>(who, job, &salt(i), &outcome(i));
			}
			for (i, who) in set.iter().enumerate().take(a as usize - 1) {
				Pallet::<T>::reveal(
					RawOrigin::Signed(who.clone()).into(),
					job,
					salt(i),
					outcome(i),
				)
				.expect("a committed member");
			}
		}
		let deadline = frame_system::Pallet::<T>::block_number() + T::RevealPeriod::get();
		let now: BlockNumberFor<T> = deadline + One::one();
		frame_system::Pallet::<T>::set_block_number(now);
		// As on a live chain, the earlier blocks' deadlines are handled.
		DeadlineCursor::<T>::put(deadline);
		MaturityCursor::<T>::put(now);
		#[block]
		{
			Pallet::<T>::on_initialize(now);
		}
		assert_eq!(Deadlines::<T>::iter_prefix(deadline).count(), 0);
		assert!(Jobs::<T>::iter().all(|(_, j)| matches!(j.kind, JobKind::Train { .. })));
	}

	/// Challenging a pending result: a recheck committee drawn from the `a - 1` attestors
	/// outside the deciding one, less the challenger (at least two, to outnumber it).
	#[benchmark]
	fn challenge(a: Linear<4, { T::MaxAttestors::get() }>) {
		let stake = StakeParams::<T>::get();
		StakeParams::<T>::put(Stake { challenge_window: 10u32.into(), ..stake });
		let (set, job, outcome) = revealing_inference::<T>(1, T::MaxTopK::get());
		Pallet::<T>::reveal(RawOrigin::Signed(set[0].clone()).into(), job, salt(0), outcome)
			.expect("the last reveal");
		let inference = Pending::<T>::iter_keys().next().expect("a pending result");
		// The others join after the decision, and are outside its committee.
		let others: Vec<T::AccountId> = (1..a).map(|i| account("other", i, 0)).collect();
		for who in &others {
			bonded::<T>(who, bond_amount::<T>());
		}
		let challenger = others[0].clone();
		#[extrinsic_call]
		_(RawOrigin::Signed(challenger), inference);
		assert!(Pending::<T>::get(inference).is_some_and(|p| p.challenge.is_some()));
	}

	/// `m` unchallenged results are paid out as the block starts, each credited to `MaxTopK`
	/// records and to every attestor of a full set.
	#[benchmark]
	fn on_initialize_matured(m: Linear<0, { T::MaxSettledPerBlock::get().min(32) }>) {
		let stake = StakeParams::<T>::get();
		StakeParams::<T>::put(Stake { challenge_window: 10u32.into(), ..stake });
		let set = attestors::<T>(T::MaxAttestors::get());
		let model = T::BenchmarkHelper::training_model(T::MaxTopK::get() + 1);
		T::BenchmarkHelper::activate(model);
		let k = T::MaxTopK::get();
		let outcome = Outcome::Infer {
			engine_version: 1,
			label: 0,
			confidence: Perbill::from_percent(90),
			shares: shares(0, k),
		};
		for _ in 0..m {
			T::BenchmarkHelper::inference(model);
			let job = last_job::<T>();
			for (i, who) in set.iter().enumerate() {
				commit_to::<T>(who, job, &salt(i), &outcome);
			}
			for (i, who) in set.iter().enumerate() {
				Pallet::<T>::reveal(
					RawOrigin::Signed(who.clone()).into(),
					job,
					salt(i),
					outcome.clone(),
				)
				.expect("a committed member");
			}
		}
		let now: BlockNumberFor<T> =
			frame_system::Pallet::<T>::block_number() + StakeParams::<T>::get().challenge_window;
		frame_system::Pallet::<T>::set_block_number(now);
		DeadlineCursor::<T>::put(now);
		MaturityCursor::<T>::put(now);
		#[block]
		{
			Pallet::<T>::on_initialize(now);
		}
		assert_eq!(Pending::<T>::iter().count(), 0);
	}

	/// `n` inference records whose retention ended are pruned as a block idles, each with the
	/// most shares and agreeing attestors.
	#[benchmark]
	fn prune(n: Linear<0, { T::MaxSettledPerBlock::get().min(32) }>) {
		let now = frame_system::Pallet::<T>::block_number();
		let agreeing: Vec<T::AccountId> =
			(0..T::MaxAttestors::get()).map(|i| account("agreeing", i, 0)).collect();
		for i in 0..u64::from(n) {
			Inferences::<T>::insert(
				i,
				InferenceRecord {
					model: 0,
					engine_version: 1,
					answer: Answer::Class { label: 0, confidence: Perbill::one() },
					shares: BoundedVec::truncate_from(shares(0, T::MaxTopK::get())),
					agreeing: BoundedVec::truncate_from(agreeing.clone()),
					block: now,
				},
			);
			Expiries::<T>::insert(now, Expiring::Inference(i), ());
		}
		ExpiryCursor::<T>::put(now);
		#[block]
		{
			Pallet::<T>::prune_due(now, Weight::MAX);
		}
		assert_eq!(Expiries::<T>::iter().count(), 0);
		assert_eq!(Inferences::<T>::iter().count(), 0);
	}

	/// A report of an attestor's answer that is not the outcome paid out, for an inference
	/// whose list of reported attestors is one short of full: the signature checked, the
	/// attestor struck and slashed.
	#[benchmark]
	fn report_answer() {
		attestors::<T>(1);
		let liar = T::BenchmarkHelper::answer_key();
		bonded::<T>(&liar, bond_amount::<T>());
		let extrinsic = H256::repeat_byte(7);
		let reported: Vec<T::AccountId> =
			(1..T::MaxAttestors::get()).map(|i| account("reported", i, 0)).collect();
		Requests::<T>::insert(
			0,
			InferenceRequest {
				extrinsic,
				job: 0,
				decided: Some(H256::repeat_byte(1)),
				reported: BoundedVec::truncate_from(reported),
			},
		);
		let answered = H256::repeat_byte(2);
		let signature =
			T::BenchmarkHelper::sign_answer(&liar, &answer_payload(extrinsic, answered));
		let reporter: T::AccountId = whitelisted_caller();
		#[extrinsic_call]
		_(RawOrigin::Signed(reporter), 0, liar.clone(), answered, signature);
		assert!(Requests::<T>::get(0).expect("kept until pruned").reported.contains(&liar));
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
