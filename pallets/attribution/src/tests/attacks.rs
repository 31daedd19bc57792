//! The protocol's rules, attacked (the design's section 8a): in each test an attacker acts
//! first, tips, mislabels its outcome or holds two roles, and loses; an honest member keeps its
//! word and loses nothing.

use frame_support::{
	dispatch::{DispatchClass, DispatchInfo, GetDispatchInfo},
	traits::fungible::Mutate,
};
use sp_runtime::{
	traits::DispatchTransaction,
	transaction_validity::{
		InvalidTransaction, TransactionSource, TransactionValidityError, ValidTransaction,
	},
};

use sp_core::offchain::StorageKind;

use super::*;
use openledger_primitives::models::Source;

/// Attestors 1 to 5 (4 and 5 bond now), committees of five, model 0 Active, and inference 7's
/// job opened; returns the job.
fn five_member_job() -> JobId {
	for who in [4, 5] {
		assert_ok!(Attribution::bond(origin(who), BOND));
	}
	set_committee(5);
	activate_model_0();
	assert_ok!(<Attribution as AttributionJobs>::request_inference(7, 0, vec![3, 4]));
	let job = NextJobId::<Test>::get() - 1;
	assert_eq!(Jobs::<Test>::get(job).unwrap().committee.len(), 5);
	job
}

/// The completed inferences, each with its agreeing members in order.
fn completed() -> Vec<(InferenceId, InferenceResult, Vec<AccountId>)> {
	let mut done = COMPLETED.with(|c| c.borrow().clone());
	for (_, _, agreeing) in &mut done {
		agreeing.sort();
	}
	done
}

fn expired() -> Vec<InferenceId> {
	EXPIRED.with(|e| e.borrow().clone())
}

#[test]
fn a_minority_that_commits_and_reveals_first_decides_nothing_and_loses() {
	run_test(|| {
		let job = five_member_job();
		let (lie, honest) = (inferred(0, 4), inferred(1, 1));
		// The attackers' commits come first in the block (a tip buys that).
		for who in [4, 5] {
			assert_ok!(commit(who, job, &lie));
		}
		// A quorum of three used to close the round here, with the attackers two of three.
		assert_ok!(commit(1, job, &honest));
		assert!(!Jobs::<Test>::get(job).unwrap().revealing, "every member may still commit");
		for who in [2, 3] {
			assert_ok!(commit(who, job, &honest));
		}
		assert!(Jobs::<Test>::get(job).unwrap().revealing, "every member committed");
		// They reveal first too: two votes of five decide nothing.
		for who in [4, 5] {
			assert_ok!(reveal(who, job, lie.clone()));
		}
		assert!(completed().is_empty() && Pending::<Test>::get(7).is_none());
		for who in [1, 2, 3] {
			assert_ok!(reveal(who, job, honest.clone()));
		}
		let (_, result, agreeing) = completed()[0].clone();
		assert_eq!((result.answer.label(), agreeing), (Some(1), vec![1, 2, 3]));
		assert_eq!([bond_of(4), bond_of(5)], [BOND - BOND / 10; 2], "the attackers lost 10%");
		assert!((1..=3).all(|a| bond_of(a) == BOND && Attribution::strikes(&a) == 0));
	});
}

#[test]
fn half_the_committee_can_refuse_a_result_but_not_decide_one_and_no_honest_member_loses() {
	run_test(|| {
		assert_ok!(Attribution::bond(origin(4), BOND));
		set_committee(4);
		activate_model_0();
		assert_ok!(<Attribution as AttributionJobs>::request_inference(7, 0, vec![3, 4]));
		let job = NextJobId::<Test>::get() - 1;
		let (lie, honest) = (inferred(0, 4), inferred(1, 1));
		answer(job, &[(3, lie.clone()), (4, lie), (1, honest.clone()), (2, honest)]);
		// Two of four is no majority of the committee: the inference is refunded.
		assert!(completed().is_empty());
		assert_eq!(expired(), vec![7]);
		assert!(events()
			.iter()
			.any(|e| matches!(e, Event::NoMajority { job: j, .. } if *j == job)));
		assert!((1..=4).all(|a| bond_of(a) == BOND && Attribution::strikes(&a) == 0));
	});
}

#[test]
fn commits_stay_open_until_the_deadline_and_a_majority_of_commits_then_opens_the_reveals() {
	run_test(|| {
		let job = five_member_job();
		let honest = inferred(1, 1);
		for who in [1, 2, 3] {
			assert_ok!(commit(who, job, &honest));
		}
		let deadline = Jobs::<Test>::get(job).unwrap().deadline;
		run_to(deadline);
		assert!(!Jobs::<Test>::get(job).unwrap().revealing);
		assert_ok!(commit(4, job, &honest));
		run_to(deadline + 1);
		let j = Jobs::<Test>::get(job).unwrap();
		assert!(j.revealing, "four of five committed");
		assert_eq!(j.deadline, deadline + 1 + REVEAL_PERIOD);
		assert_noop!(commit(5, job, &honest), Error::<Test>::CommitsClosed);
		for who in [1, 2, 3, 4] {
			assert_ok!(reveal(who, job, honest.clone()));
		}
		assert_eq!(completed()[0].2, vec![1, 2, 3, 4]);
		// Member 5 never committed: nothing to slash.
		assert_eq!(bond_of(5), BOND);
	});
}

#[test]
fn without_a_majority_of_commits_by_the_deadline_the_job_expires_and_no_one_is_slashed() {
	run_test(|| {
		let job = five_member_job();
		for who in [1, 2] {
			assert_ok!(commit(who, job, &inferred(1, 1)));
		}
		run_to(Jobs::<Test>::get(job).unwrap().deadline + 1);
		assert!(Jobs::<Test>::get(job).is_none());
		assert_eq!(expired(), vec![7]);
		assert!((1..=5).all(|a| bond_of(a) == BOND));
	});
}

#[test]
fn a_member_that_can_no_longer_commit_does_not_hold_the_round_open() {
	run_test(|| {
		open_jobs();
		// Member 3 leaves before committing: the round closes with the other two.
		assert_ok!(Attribution::unbond(origin(3)));
		assert_ok!(commit(1, 1, &inferred(1, 1)));
		assert!(!Jobs::<Test>::get(1).unwrap().revealing);
		assert_ok!(commit(2, 1, &inferred(1, 1)));
		assert!(Jobs::<Test>::get(1).unwrap().revealing);
		assert_ok!(reveal(1, 1, inferred(1, 1)));
		assert_ok!(reveal(2, 1, inferred(1, 1)));
		assert_eq!(completed()[0].2, vec![1, 2], "two of three is the committee's majority");
	});
}

#[test]
fn a_lie_labelled_with_another_engine_version_is_refused_and_costs_the_unrevealed_slash() {
	run_test(|| {
		open_jobs();
		let fake = inferred_of(4242, 0, &[(4, 1_000_000_000)]);
		let honest = inferred(1, 1);
		for (who, o) in [(2, &fake), (3, &fake), (1, &honest)] {
			assert_ok!(commit(who, 1, o));
		}
		for who in [2, 3] {
			assert_noop!(reveal(who, 1, fake.clone()), Error::<Test>::WrongEngineVersion);
		}
		assert_ok!(reveal(1, 1, honest));
		run_to(Jobs::<Test>::get(1).unwrap().deadline + 1);
		// No result (one vote of three), and the two that hid behind a label lost 1% each.
		assert!(completed().is_empty());
		assert_eq!(expired(), vec![7]);
		assert_eq!([bond_of(2), bond_of(3)], [BOND - BOND / 100; 2]);
		assert_eq!((bond_of(1), Attribution::strikes(&1)), (BOND, 0));
		// A training outcome of another version is refused the same way.
		let fake_training = Outcome::Train(outcome_of(2, 900, 1));
		for who in 1..=3 {
			assert_ok!(commit(who, 0, &fake_training));
		}
		assert_noop!(reveal(1, 0, fake_training), Error::<Test>::WrongEngineVersion);
	});
}

#[test]
fn a_new_engine_version_applies_to_jobs_opened_after_it_and_a_recheck_keeps_the_results() {
	run_test(|| {
		let (job, member) = one_member_job();
		answer(job, &[(member, inferred(1, 1))]);
		let params = ConsensusParams::<Test>::get();
		assert_ok!(Attribution::set_params(
			RuntimeOrigin::root(),
			Params { engine_version: 2, ..params }
		));
		assert!(
			events().contains(&Event::ParamsSet { params: Params { engine_version: 2, ..params } })
		);
		assert_ok!(<Attribution as AttributionJobs>::request_inference(8, 0, vec![1, 1]));
		let newer = NextJobId::<Test>::get() - 1;
		assert_eq!(Jobs::<Test>::get(newer).unwrap().engine_version, 2);
		// The challenge of the version-1 result is rechecked with version 1.
		let challenger = (1..=4).find(|a| *a != member).unwrap();
		assert_ok!(Attribution::challenge(origin(challenger), 7));
		let (rjob, _) = recheck();
		assert_eq!(Jobs::<Test>::get(rjob).unwrap().engine_version, 1);
		assert_noop!(
			Attribution::set_params(RuntimeOrigin::root(), Params { engine_version: 0, ..params }),
			Error::<Test>::InvalidParams
		);
	});
}

#[test]
fn the_challenger_never_sits_on_its_recheck_and_a_refused_challenge_holds_nothing() {
	run_test(|| {
		let (job, liar) = committee_of_one_job();
		answer(job, &[(liar, inferred(0, 4))]);
		// Of three attestors, the only outsiders are the challenger and one other: a recheck of
		// one is no larger than the first committee, and the challenger cannot sit on it.
		let challenger = (1..=3).find(|a| *a != liar).unwrap();
		let free = Balances::free_balance(challenger);
		assert_noop!(Attribution::challenge(origin(challenger), 7), Error::<Test>::NoRecheckers);
		assert_eq!(Balances::free_balance(challenger), free, "no deposit held");
		// With a fourth attestor, two outsiders besides the challenger recheck.
		assert_ok!(Attribution::bond(origin(4), BOND));
		assert_ok!(Attribution::challenge(origin(challenger), 7));
		let (_, members) = recheck();
		assert_eq!(members.len(), 2);
		assert!(!members.contains(&challenger) && !members.contains(&liar));
	});
}

#[test]
fn a_recheck_excludes_the_model_owner_and_the_contributors_the_result_pays() {
	run_test(|| {
		let (job, member) = one_member_job();
		// The mock's model owner (50) and the contributor of record 1 (101) bond in after the
		// job opened.
		for who in [50, 101] {
			assert_ok!(Balances::mint_into(&who, ENDOWMENT));
			assert_ok!(Attribution::bond(origin(who), BOND));
		}
		answer(job, &[(member, inferred(1, 1))]);
		// Rechecks of up to four: enough for everyone eligible.
		set_committee(2);
		let challenger = (1..=4).find(|a| *a != member).unwrap();
		assert_ok!(Attribution::challenge(origin(challenger), 7));
		let (_, members) = recheck();
		assert_eq!(members.len(), 2);
		assert!(members.iter().all(|m| (1..=4).contains(m) && *m != member && *m != challenger));
	});
}

/// Every model of the mock on Datanet 0's version (positions 0..6), then Datanet 1's of weight
/// 2 (positions 6..10).
fn two_sources() {
	SOURCES.with(|s| {
		*s.borrow_mut() = vec![
			Source { datanet: DATANET, version: 1, records: RECORDS, weight: 1 },
			Source { datanet: SECOND, version: 1, records: SECOND_RECORDS, weight: 2 },
		]
	});
}

#[test]
fn a_recheck_excludes_the_contributors_the_result_pays_in_every_source() {
	run_test(|| {
		two_sources();
		let (job, member) = one_member_job();
		// Position 7 is the second source's record 1, contributed by 201, who bonds in with
		// the owner: read as Datanet 0's record 7, it would name no one.
		for who in [50, 201] {
			assert_ok!(Balances::mint_into(&who, ENDOWMENT));
			assert_ok!(Attribution::bond(origin(who), BOND));
		}
		answer(job, &[(member, inferred(1, RECORDS + 1))]);
		set_committee(2);
		let challenger = (1..=4).find(|a| *a != member).unwrap();
		assert_ok!(Attribution::challenge(origin(challenger), 7));
		let (_, members) = recheck();
		assert!(!members.contains(&201) && !members.contains(&50), "{members:?}");
		assert_eq!(members.len(), 2);
	});
}

/// Attestor 201, bonded, is paid by the result of a one-member job through `paid_by_result`;
/// the recheck of a challenge of that result must leave it out and still seat two others.
fn a_recheck_leaves_out_201(paid_by_result: impl FnOnce()) {
	run_test(|| {
		let (job, member) = one_member_job();
		paid_by_result();
		assert_ok!(Balances::mint_into(&201, ENDOWMENT));
		assert_ok!(Attribution::bond(origin(201), BOND));
		answer(job, &[(member, inferred(1, 1))]);
		set_committee(2);
		let challenger = (1..=4).find(|a| *a != member).unwrap();
		assert_ok!(Attribution::challenge(origin(challenger), 7));
		let (_, members) = recheck();
		assert!(!members.contains(&201), "{members:?}");
		assert_eq!(members.len(), 2);
	});
}

#[test]
fn a_recheck_excludes_the_payees_the_result_pays() {
	// Record 1's contributor, 101, is paid through attestor 201: two roles in one hand.
	a_recheck_leaves_out_201(|| {
		PAYEES.with(|p| p.borrow_mut().insert(101, 201));
	});
}

/// The model's owner splits its owner share with an attestor: that attestor is paid by every
/// result of the model, and must not sit on a recheck of one.
#[test]
fn a_recheck_excludes_the_accounts_of_the_models_revenue_shares() {
	a_recheck_leaves_out_201(|| {
		REVENUE_SHARES.with(|r| r.borrow_mut().insert(0, vec![50, 201]));
	});
}

#[test]
fn a_result_may_name_every_sources_records_and_none_past_them() {
	for (position, ok) in [(RECORDS + SECOND_RECORDS - 1, true), (RECORDS + SECOND_RECORDS, false)]
	{
		run_test(|| {
			two_sources();
			let (job, member) = one_member_job();
			assert_ok!(commit(member, job, &inferred(1, position)));
			if ok {
				assert_ok!(reveal(member, job, inferred(1, position)));
			} else {
				assert_noop!(
					reveal(member, job, inferred(1, position)),
					Error::<Test>::UnknownRecord
				);
			}
		});
	}
}

#[test]
fn strikes_and_suspension_survive_leaving_and_bonding_again() {
	run_test(|| {
		Attribution::strike(&3, 0, 2);
		assert_ok!(Attribution::unbond(origin(3)));
		run_to(1 + StakeParams::<Test>::get().unbonding_period);
		assert_ok!(Attribution::withdraw_unbonded(origin(3)));
		assert_ok!(Attribution::bond(origin(3), BOND));
		assert_eq!(Attribution::strikes(&3), 1, "the strike came back with it");
		// A second strike within the decay suspends it; leaving and rejoining keeps it so.
		Attribution::strike(&3, 0, 2);
		assert!(Suspended::<Test>::contains_key(3));
		assert_ok!(Attribution::unbond(origin(3)));
		run_to(System::block_number() + StakeParams::<Test>::get().unbonding_period);
		assert_ok!(Attribution::withdraw_unbonded(origin(3)));
		assert_ok!(Attribution::bond(origin(3), BOND));
		assert!(!Attribution::is_active_attestor(&3));
		open_jobs();
		assert_noop!(commit(3, 0, &trained(1)), Error::<Test>::AttestorSuspended);
		assert_ok!(Attribution::reinstate(RuntimeOrigin::root(), 3));
		assert!(Attribution::is_active_attestor(&3));
	});
}

#[test]
fn a_member_that_left_after_committing_still_reveals_and_is_counted() {
	run_test(|| {
		open_jobs();
		for who in 1..=3 {
			assert_ok!(commit(who, 1, &inferred(1, 1)));
		}
		assert_ok!(Attribution::remove_attestor(RuntimeOrigin::root(), 3));
		for who in 1..=3 {
			assert_ok!(reveal(who, 1, inferred(1, 1)));
		}
		assert_eq!(completed()[0].2, vec![1, 2, 3]);
		assert_eq!(bond_of(3), BOND);
	});
}

/// A deterministic generator for the property test (SplitMix64): no dependency, and a failing
/// case is reproduced by its number.
struct Cases(u64);

impl Cases {
	fn next(&mut self) -> u64 {
		self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
		let mut z = self.0;
		z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
		z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
		z ^ (z >> 31)
	}

	fn below(&mut self, n: u64) -> u64 {
		self.next() % n
	}

	fn shuffle<V>(&mut self, items: &mut [V]) {
		for i in (1..items.len()).rev() {
			items.swap(i, self.below(i as u64 + 1) as usize);
		}
	}
}

/// What a member of the property test does.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Member {
	/// Commits and reveals outcome A (of the job's engine version).
	A,
	/// Commits and reveals outcome B.
	B,
	/// Commits to outcome A labelled with another engine version.
	OtherVersion,
	/// Never commits.
	Silent,
}

#[test]
fn the_result_depends_only_on_the_committees_votes() {
	for case in 0..300u64 {
		let mut rng = Cases(case);
		let members: Vec<(AccountId, Member)> = (1..=5)
			.map(|who| {
				let m = match rng.below(8) {
					0..=2 => Member::A,
					3 | 4 => Member::B,
					5 => Member::OtherVersion,
					_ => Member::Silent,
				};
				(who, m)
			})
			.collect();
		let outcome_of_member = |m: Member| match m {
			Member::A => inferred(1, 1),
			Member::B => inferred(2, 2),
			Member::OtherVersion => inferred_of(7, 1, &[(1, 1_000_000_000)]),
			Member::Silent => unreachable!(),
		};
		new_test_ext().execute_with(|| {
			let job = five_member_job();
			let deadline = Jobs::<Test>::get(job).unwrap().deadline;
			// Commits in any order (what a tip or a position in a block decides), each in any
			// block of the commit round.
			let mut order = members.clone();
			rng.shuffle(&mut order);
			let mut block = 1;
			for (who, m) in &order {
				if *m == Member::Silent {
					continue;
				}
				block = (block + rng.below(2)).min(deadline);
				run_to(block);
				assert_ok!(commit(*who, job, &outcome_of_member(*m)));
			}
			let revealing = || Jobs::<Test>::get(job).is_some_and(|j| j.revealing);
			if !revealing() {
				run_to(deadline + 1);
			}
			if revealing() {
				rng.shuffle(&mut order);
				for (who, m) in &order {
					match m {
						Member::Silent => {},
						Member::OtherVersion => {
							assert_noop!(
								reveal(*who, job, outcome_of_member(*m)),
								Error::<Test>::WrongEngineVersion
							);
						},
						_ => {
							let _ = reveal(*who, job, outcome_of_member(*m));
						},
					}
				}
				run_to(System::block_number() + REVEAL_PERIOD + 1);
			}
			// What the votes alone say.
			let of = |kind: Member| -> Vec<AccountId> {
				members.iter().filter(|(_, m)| *m == kind).map(|(w, _)| *w).collect()
			};
			let committed = 5 - of(Member::Silent).len();
			let winner = [Member::A, Member::B].into_iter().find(|k| of(*k).len() >= 3);
			let ctx = format!("case {case}: {members:?}");
			assert!(Jobs::<Test>::get(job).is_none(), "{ctx}: the job is closed");
			match winner {
				Some(kind) => {
					let (_, _, agreeing) = completed()[0].clone();
					assert_eq!(agreeing, of(kind), "{ctx}");
					let loser = if kind == Member::A { Member::B } else { Member::A };
					for who in of(loser) {
						assert_eq!(bond_of(who), BOND - BOND / 10, "{ctx}: {who} lost the vote");
					}
					for who in of(kind) {
						assert_eq!(bond_of(who), BOND, "{ctx}");
					}
				},
				None => {
					assert!(completed().is_empty(), "{ctx}");
					assert_eq!(expired(), vec![7], "{ctx}");
					for who in of(Member::A).into_iter().chain(of(Member::B)) {
						assert_eq!(bond_of(who), BOND, "{ctx}: no one lost a vote");
					}
				},
			}
			for who in of(Member::OtherVersion) {
				let slashed = if committed >= 3 { BOND / 100 } else { 0 };
				assert_eq!(bond_of(who), BOND - slashed, "{ctx}: {who} committed and hid");
			}
			for who in of(Member::Silent) {
				assert_eq!(bond_of(who), BOND, "{ctx}");
			}
			Attribution::do_try_state().unwrap();
		});
	}
}

/// The pool's check of `call` from `who`.
fn validate(
	who: AccountId,
	call: &RuntimeCall,
	source: TransactionSource,
) -> Result<ValidTransaction, TransactionValidityError> {
	let info: DispatchInfo = call.get_dispatch_info();
	CheckAttestation::<Test>::new()
		.validate_only(Some(who).into(), call, &info, 0, source, 0)
		.map(|(valid, _, _)| valid)
}

#[test]
fn the_pool_admits_early_attestations_only_from_members_and_one_per_attestor_and_round() {
	run_test(|| {
		open_jobs();
		let next = NextJobId::<Test>::get();
		let o = trained(1);
		let reveal_call =
			|job| RuntimeCall::Attribution(Call::reveal { job, salt: salt(9), outcome: o.clone() });
		let commit_call =
			|job| RuntimeCall::Attribution(Call::commit { job, commitment: H256::repeat_byte(1) });
		let ext = TransactionSource::External;
		// The flood of the issue: reveals for jobs not opened yet, from an account that never
		// bonded. None is admitted.
		for job in next..next + 200 {
			assert!(validate(9, &reveal_call(job), ext).is_err());
		}
		// From a bonded attestor, an early attestation provides its tag: the pool holds one per
		// attestor and round.
		let early = validate(1, &commit_call(next), ext).unwrap();
		assert_eq!(early.provides, vec![extension::not_yet_tag(&1u64, 0)]);
		assert_eq!(early.priority, extension::ATTESTATION_PRIORITY);
		assert_eq!(
			validate(1, &commit_call(next + 5), ext).unwrap().provides,
			early.provides,
			"a second early commit conflicts with the first"
		);
		assert_eq!(
			validate(1, &reveal_call(next), ext).unwrap().provides,
			vec![extension::not_yet_tag(&1u64, 1)]
		);
		// A reveal to a job still in its commit round: only from a member of its committee.
		assert_ok!(Attribution::bond(origin(4), BOND));
		assert!(validate(1, &reveal_call(1), ext).is_ok());
		assert!(validate(4, &reveal_call(1), ext).is_err(), "4 bonded after job 1 was drawn");
		// An attestation that can succeed now has the lane's priority and no tag of its own.
		let now = validate(1, &commit_call(1), ext).unwrap();
		assert_eq!((now.priority, now.provides.len()), (extension::ATTESTATION_PRIORITY, 0));
	});
}

#[test]
fn attestations_and_challenges_ride_the_operational_lane() {
	run_test(|| {
		let calls = [
			Call::<Test>::commit { job: 0, commitment: H256::zero() },
			Call::reveal { job: 0, salt: [0; 32], outcome: trained(1) },
			Call::commit_batch { items: BoundedVec::truncate_from(vec![(0, H256::zero())]) },
			Call::reveal_batch {
				items: BoundedVec::truncate_from(vec![(0, [0; 32], trained(1))]),
				members: 3,
			},
			Call::challenge { inference: 7 },
		];
		for call in calls {
			assert_eq!(call.get_dispatch_info().class, DispatchClass::Operational, "{call:?}");
		}
		let bond = Call::<Test>::bond { amount: BOND };
		assert_eq!(bond.get_dispatch_info().class, DispatchClass::Normal);
	});
}

#[test]
fn the_pool_keeps_one_challenge_per_result_and_refuses_one_that_would_fail() {
	run_test(|| {
		let (job, member) = one_member_job();
		answer(job, &[(member, inferred(0, 4))]);
		let call = RuntimeCall::Attribution(Call::challenge { inference: 7 });
		let ext = TransactionSource::External;
		let others: Vec<AccountId> = (1..=4).filter(|a| *a != member).collect();
		let valid = validate(others[0], &call, ext).unwrap();
		assert_eq!(valid.provides, vec![extension::challenge_tag(7)]);
		assert_eq!(valid.priority, extension::ATTESTATION_PRIORITY);
		assert_eq!(validate(others[1], &call, ext).unwrap().provides, valid.provides);
		let bad = Err(TransactionValidityError::Invalid(InvalidTransaction::BadSigner));
		assert_eq!(validate(member, &call, ext), bad, "the committee cannot challenge");
		assert_eq!(validate(9, &call, ext), bad, "nor can a non-attestor");
		assert_ok!(Attribution::challenge(origin(others[0]), 7));
		assert_eq!(
			validate(others[1], &call, ext),
			Err(TransactionValidityError::Invalid(InvalidTransaction::Stale)),
			"already challenged"
		);
	});
}

#[test]
fn a_worker_reveals_what_it_committed_after_leaving_the_set_with_its_engine_busy() {
	let engine = Arc::new(MockEngine::default());
	let (mut ext, pool) = offchain_ext(Some(engine.clone()));
	ext.execute_with(|| {
		UintAuthorityId::set_all_keys(vec![1]);
		activate_model_0();
		assert_ok!(<Attribution as AttributionJobs>::request_inference(7, 0, vec![3, 4]));
		Attribution::offchain_worker(1);
		apply(&pool, 0);
		let engines = inferred_of(1, 1, &[(3, 1_000_000_000)]);
		for who in [2, 3] {
			assert_ok!(commit(who, 0, &engines));
		}
		assert!(Jobs::<Test>::get(0).unwrap().revealing);
		// Member 1 is removed, and its engine is busy: it reveals what it kept.
		assert_ok!(Attribution::remove_attestor(RuntimeOrigin::root(), 1));
		engine.busy.store(true, std::sync::atomic::Ordering::SeqCst);
		Attribution::offchain_worker(2);
		assert_eq!(pooled(&pool).len(), 2, "the reveal is sent");
		apply(&pool, 1);
		for who in [2, 3] {
			assert_ok!(reveal(who, 0, engines.clone()));
		}
		assert_eq!(completed()[0].2.len(), 3);
		assert_eq!(bond_of(1), BOND, "it kept its word");
	});
}

#[test]
fn a_worker_whose_engine_is_of_another_version_abstains() {
	let engine = Arc::new(MockEngine::default());
	let (mut ext, pool) = offchain_ext(Some(engine));
	ext.execute_with(|| {
		UintAuthorityId::set_all_keys(vec![1]);
		let params = ConsensusParams::<Test>::get();
		assert_ok!(Attribution::set_params(
			RuntimeOrigin::root(),
			Params { engine_version: 2, ..params }
		));
		activate_model_0();
		assert_ok!(<Attribution as AttributionJobs>::request_inference(7, 0, vec![3, 4]));
		Attribution::offchain_worker(1);
		assert!(pooled(&pool).is_empty(), "no commit it could not reveal");
	});
}

#[test]
fn the_watchtower_challenges_a_lying_committee_by_itself_and_not_an_honest_one() {
	let engine = Arc::new(MockEngine::default());
	let (mut ext, pool) = offchain_ext(Some(engine));
	ext.execute_with(|| {
		let (job, liar) = one_member_job();
		// Every other attestor's key is on this node.
		let watchers: Vec<AccountId> = (1..=4).filter(|a| *a != liar).collect();
		UintAuthorityId::set_all_keys(watchers.clone());
		answer(job, &[(liar, inferred(0, 4))]);
		Attribution::offchain_worker(2);
		let sent = pooled(&pool);
		assert_eq!(sent.len(), 1, "one challenge, from one of the node's attestors: {sent:?}");
		assert!(watchers.contains(&sent[0].0));
		assert_eq!(sent[0].1, RuntimeCall::Attribution(Call::challenge { inference: 7 }));
		apply(&pool, 0);
		let (_, members) = recheck();
		assert!(!members.contains(&sent[0].0) && !members.contains(&liar));
		// The next block's worker answers the recheck; the lie is overturned.
		let sent = pooled(&pool).len();
		Attribution::offchain_worker(3);
		apply(&pool, sent);
		let sent = pooled(&pool).len();
		Attribution::offchain_worker(4);
		apply(&pool, sent);
		assert!(events().iter().any(|e| matches!(e, Event::ChallengeUpheld { inference: 7, .. })));
		assert_eq!(bond_of(liar), BOND - BOND / 10);
	});
	let engine = Arc::new(MockEngine::default());
	let (mut ext, pool) = offchain_ext(Some(engine));
	ext.execute_with(|| {
		let (job, member) = one_member_job();
		UintAuthorityId::set_all_keys((1..=4u64).filter(|a| *a != member).collect::<Vec<_>>());
		// The member answered as every engine would: nothing to challenge.
		answer(job, &[(member, inferred_of(1, 1, &[(3, 1_000_000_000)]))]);
		Attribution::offchain_worker(2);
		assert!(pooled(&pool).is_empty());
	});
}

#[test]
fn a_node_watches_every_result_it_answered_early_whatever_its_sample() {
	// Without a sample, a lying committee's result goes unwatched; with this node's note that
	// it answered the request, it is re-executed and challenged, and the note is cleared.
	for answered_early in [false, true] {
		let engine = Arc::new(MockEngine::default());
		let (mut ext, pool) = offchain_ext(Some(engine));
		ext.execute_with(|| {
			let request = H256::repeat_byte(0x7e);
			CurrentRequest::set(Some(request));
			let (job, liar) = one_member_job();
			CurrentRequest::set(None);
			ConsensusParams::<Test>::mutate(|p| p.watch_sample = Perbill::zero());
			let key = crate::ocw::answered_key(request);
			if answered_early {
				sp_io::offchain::local_storage_set(StorageKind::PERSISTENT, &key, &[1]);
			}
			UintAuthorityId::set_all_keys((1..=4).filter(|a| *a != liar).collect::<Vec<_>>());
			answer(job, &[(liar, inferred(0, 4))]);
			Attribution::offchain_worker(2);
			let challenges = pooled(&pool)
				.iter()
				.filter(|(_, c)| *c == RuntimeCall::Attribution(Call::challenge { inference: 7 }))
				.count();
			assert_eq!(challenges, usize::from(answered_early));
			assert!(sp_io::offchain::local_storage_get(StorageKind::PERSISTENT, &key).is_none());
		});
	}
}
