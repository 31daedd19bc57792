use std::sync::{Arc, Mutex};

use codec::Decode;
use frame_support::{assert_noop, assert_ok, traits::Hooks};
use openledger_primitives::{
	attribution::{
		AttributionEngine, AttributionError, AttributionExt, DatasetRef, InferOutcome,
		InferRequest, IngestChunk, TrainRequest,
	},
	traits::AttributionJobs,
};
use sp_core::{
	offchain::{testing, OffchainDbExt, OffchainWorkerExt, TransactionPoolExt},
	H256,
};
use sp_runtime::{testing::UintAuthorityId, DispatchError, Perbill};

use crate::{mock::*, *};

fn outcome(accuracy: u32, hash: u8) -> TrainOutcome {
	outcome_of(1, accuracy, hash)
}

fn outcome_of(engine_version: u32, accuracy: u32, hash: u8) -> TrainOutcome {
	TrainOutcome {
		engine_version,
		accuracy: Perbill::from_parts(accuracy),
		weights_hash: H256::repeat_byte(hash),
		records: 5,
		held_out: 1,
	}
}

fn s(record: u32, ppb: u32) -> RecordShare {
	RecordShare { record, share: Perbill::from_parts(ppb) }
}

fn shares(list: &[(u32, u32)]) -> Vec<RecordShare> {
	list.iter().map(|(r, p)| s(*r, *p)).collect()
}

/// Makes model 0 Active, so that it takes inferences.
fn activate_model_0() {
	MODELS.with(|m| {
		m.borrow_mut()
			.insert(0, ModelStatus::Active { accuracy: Perbill::one(), weights_hash: H256::zero() })
	});
}

fn origin(who: AccountId) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

fn events() -> Vec<Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| if let RuntimeEvent::Attribution(e) = r.event { Some(e) } else { None })
		.collect()
}

/// Opens the training job of model 0 (job 0) and an inference job for inference 7 (job 1).
fn open_jobs() {
	assert_ok!(<Attribution as AttributionJobs>::request_training(0));
	activate_model_0();
	assert_ok!(<Attribution as AttributionJobs>::request_inference(7, 0, vec![3, 4]));
}

#[test]
fn jobs_open_with_deadlines() {
	run_test(|| {
		open_jobs();
		let train = Jobs::<Test>::get(0).unwrap();
		assert_eq!(train.kind, JobKind::Train { model: 0 });
		assert_eq!(train.deadline, 1 + TRAINING_PERIOD);
		let infer = Jobs::<Test>::get(1).unwrap();
		assert_eq!(infer.kind, JobKind::Infer { inference: 7, model: 0 });
		assert_eq!(infer.input.to_vec(), vec![3, 4]);
		assert_eq!(infer.deadline, 1 + INFERENCE_PERIOD);
		assert!(events().contains(&Event::JobCreated {
			job: 1,
			kind: JobKind::Infer { inference: 7, model: 0 },
			deadline: 1 + INFERENCE_PERIOD,
			committee: infer.committee.clone(),
		}));
		// Committees of three among three attestors: everyone, in the draw's order.
		let mut members = infer.committee.to_vec();
		members.sort();
		assert_eq!(members, vec![1, 2, 3]);
		assert_noop!(
			<Attribution as AttributionJobs>::request_inference(8, 0, vec![0; 17]),
			Error::<Test>::InputTooLong
		);
	});
}

#[test]
fn training_aggregates_at_quorum_with_the_median_and_the_common_hash() {
	run_test(|| {
		assert_ok!(<Attribution as AttributionJobs>::request_training(0));
		assert_ok!(Attribution::submit_training(origin(1), 0, outcome(900, 2)));
		assert_ok!(Attribution::submit_training(origin(2), 0, outcome(800, 1)));
		assert_eq!(Jobs::<Test>::get(0).unwrap().submissions, 2);
		assert_eq!(MockModels::model(0).unwrap().status, ModelStatus::Training);
		assert_ok!(Attribution::submit_training(origin(3), 0, outcome(950, 2)));

		let status = MockModels::model(0).unwrap().status;
		assert_eq!(
			status,
			ModelStatus::Active {
				accuracy: Perbill::from_parts(900),
				weights_hash: H256::repeat_byte(2)
			}
		);
		assert_eq!(
			Trainings::<Test>::get(0),
			Some(TrainingRecord {
				engine_version: 1,
				accuracy: Perbill::from_parts(900),
				weights_hash: H256::repeat_byte(2),
				agreement: 2,
				submissions: 3,
			})
		);
		// The job is gone with its submissions; the dissenter has a strike.
		assert!(Jobs::<Test>::get(0).is_none());
		assert_eq!(Submissions::<Test>::iter_prefix(0).count(), 0);
		assert_eq!(Attribution::strikes(&2), 1);
		assert_eq!(Attribution::strikes(&1), 0);
		assert!(events().contains(&Event::Struck { attestor: 2, job: 0, strikes: 1 }));
		// A late answer finds no job.
		assert_noop!(
			Attribution::submit_training(origin(1), 0, outcome(1, 1)),
			Error::<Test>::UnknownJob
		);
	});
}

#[test]
fn engine_versions_are_aggregated_apart_and_never_strike_each_other() {
	run_test(|| {
		assert_ok!(Attribution::set_params(
			RuntimeOrigin::root(),
			Params { quorum: 2, tolerance: 0, max_strikes: 2, committee_size: 3 }
		));
		assert_ok!(<Attribution as AttributionJobs>::request_training(0));
		// Version 1 and version 2 report different weights; neither group has a quorum yet.
		assert_ok!(Attribution::submit_training(origin(1), 0, outcome_of(1, 900, 1)));
		assert_ok!(Attribution::submit_training(origin(2), 0, outcome_of(2, 800, 2)));
		let job = Jobs::<Test>::get(0).unwrap();
		assert_eq!((job.submissions, job.tally.to_vec()), (2, vec![(1, 1), (2, 1)]));
		// A second version-2 outcome closes the job on version 2's result alone.
		assert_ok!(Attribution::submit_training(origin(3), 0, outcome_of(2, 700, 2)));
		assert_eq!(
			Trainings::<Test>::get(0),
			Some(TrainingRecord {
				engine_version: 2,
				accuracy: Perbill::from_parts(700),
				weights_hash: H256::repeat_byte(2),
				agreement: 2,
				submissions: 2,
			})
		);
		// The version-1 attestor disagreed, but is not compared with version 2: no strike.
		assert!((1..=3).all(|a| Attribution::strikes(&a) == 0));

		// Inference: two version-1 answers agree, one version-2 answer names another label.
		assert_ok!(<Attribution as AttributionJobs>::request_inference(7, 0, vec![3, 4]));
		let infer = |who, version, label| {
			let list = shares(&[(1, 1_000_000_000)]);
			Attribution::submit_inference(origin(who), 1, version, label, Perbill::one(), list)
		};
		assert_ok!(infer(3, 2, 0));
		assert_ok!(infer(1, 1, 1));
		assert_ok!(infer(2, 1, 1));
		let (_, result, agreeing) = COMPLETED.with(|c| c.borrow()[0].clone());
		assert_eq!((result.label, agreeing), (1, vec![1, 2]));
		assert_eq!(Inferences::<Test>::get(7).unwrap().engine_version, 1);
		assert!((1..=3).all(|a| Attribution::strikes(&a) == 0));

		// Within one version a dissenter is still struck.
		assert_ok!(Attribution::set_params(
			RuntimeOrigin::root(),
			Params { quorum: 3, tolerance: 0, max_strikes: 2, committee_size: 3 }
		));
		assert_ok!(<Attribution as AttributionJobs>::request_inference(8, 0, vec![3, 4]));
		let infer = |who, label| {
			let list = shares(&[(1, 1_000_000_000)]);
			Attribution::submit_inference(origin(who), 2, 5, label, Perbill::one(), list)
		};
		assert_ok!(infer(1, 0));
		assert_ok!(infer(2, 1));
		assert_ok!(infer(3, 1));
		assert_eq!(Attribution::strikes(&1), 1);
		Attribution::do_try_state().unwrap();
	});
}

#[test]
fn submissions_are_checked_and_a_failure_changes_nothing() {
	run_test(|| {
		open_jobs();
		assert_noop!(
			Attribution::submit_training(origin(9), 0, outcome(1, 1)),
			Error::<Test>::NotAttestor
		);
		assert_noop!(
			Attribution::submit_training(origin(1), 5, outcome(1, 1)),
			Error::<Test>::UnknownJob
		);
		assert_noop!(
			Attribution::submit_training(origin(1), 1, outcome(1, 1)),
			Error::<Test>::WrongJobKind
		);
		assert_noop!(
			Attribution::submit_inference(origin(1), 0, 1, 0, Perbill::one(), shares(&[])),
			Error::<Test>::WrongJobKind
		);
		assert_ok!(Attribution::submit_training(origin(1), 0, outcome(1, 1)));
		assert_noop!(
			Attribution::submit_training(origin(1), 0, outcome(1, 1)),
			Error::<Test>::AlreadySubmitted
		);
		let infer = |who, label, list: &[(u32, u32)]| {
			Attribution::submit_inference(origin(who), 1, 1, label, Perbill::one(), shares(list))
		};
		assert_noop!(infer(2, 3, &[(0, 1_000_000_000)]), Error::<Test>::LabelOutOfRange);
		let five: Vec<(u32, u32)> = (0..5).map(|r| (r, 200_000_000)).collect();
		assert_noop!(infer(2, 0, &five), Error::<Test>::TooManyShares);
		assert_noop!(infer(2, 0, &[(0, 999_999_999)]), Error::<Test>::SharesDoNotSumToOne);
		assert_noop!(
			infer(2, 0, &[(1, 500_000_000), (1, 500_000_000)]),
			Error::<Test>::DuplicateRecord
		);
		assert_noop!(infer(2, 0, &[(RECORDS, 1_000_000_000)]), Error::<Test>::UnknownRecord);
		Suspended::<Test>::insert(3, ());
		assert_noop!(infer(3, 0, &[(0, 1_000_000_000)]), Error::<Test>::AttestorSuspended);
		Suspended::<Test>::remove(3);
		System::set_block_number(1 + INFERENCE_PERIOD + 1);
		assert_noop!(infer(2, 0, &[(0, 1_000_000_000)]), Error::<Test>::DeadlinePassed);
	});
}

#[test]
fn inference_consensus_strikes_dissenters_and_pays_through_the_handler() {
	run_test(|| {
		open_jobs();
		let infer = |who, label, confidence, list: &[(u32, u32)]| {
			Attribution::submit_inference(
				origin(who),
				1,
				1,
				label,
				Perbill::from_parts(confidence),
				shares(list),
			)
		};
		// 1 and 2 agree closely; 3 names another label.
		assert_ok!(infer(1, 2, 700, &[(1, 600_000_000), (2, 400_000_000)]));
		assert_ok!(infer(2, 2, 800, &[(1, 550_000_000), (2, 450_000_000)]));
		assert_ok!(infer(3, 1, 900, &[(4, 1_000_000_000)]));

		let (inference, result, agreeing) = COMPLETED.with(|c| c.borrow()[0].clone());
		assert_eq!(inference, 7);
		assert_eq!(result.label, 2);
		assert_eq!(result.confidence, Perbill::from_parts(800));
		// Medians 550M (record 1) and 400M (record 2), renormalised over 950M.
		assert_eq!(result.shares, vec![s(1, 578_947_368), s(2, 421_052_632)]);
		assert_eq!(agreeing, vec![1, 2]);
		assert_eq!(Attribution::strikes(&3), 1);
		let stored = Inferences::<Test>::get(7).unwrap();
		assert_eq!((stored.label, stored.shares.to_vec()), (2, result.shares.clone()));
		assert_eq!(stored.agreeing.to_vec(), vec![1, 2]);
		assert!(events().contains(&Event::InferenceAttributed {
			job: 1,
			inference: 7,
			engine_version: 1,
			label: 2,
			confidence: Perbill::from_parts(800),
			records: 2,
		}));
	});
}

#[test]
fn shares_far_from_consensus_strike_and_the_limit_suspends() {
	run_test(|| {
		for round in 0..2u64 {
			assert_ok!(<Attribution as AttributionJobs>::request_inference(round, 0, vec![1, 1]));
			let job = round;
			let infer = |who, list: &[(u32, u32)]| {
				Attribution::submit_inference(origin(who), job, 1, 0, Perbill::one(), shares(list))
			};
			assert_ok!(infer(1, &[(0, 1_000_000_000)]));
			assert_ok!(infer(2, &[(0, 1_000_000_000)]));
			// Same label, but all the share on another record: L1 distance 2·10^9.
			assert_ok!(infer(3, &[(3, 1_000_000_000)]));
		}
		assert_eq!(Attribution::strikes(&3), 2);
		assert!(Suspended::<Test>::contains_key(3));
		assert!(events().contains(&Event::AttestorSuspended { attestor: 3 }));
		assert!(!Attribution::is_active_attestor(&3));
		assert_ok!(<Attribution as AttributionJobs>::request_inference(9, 0, vec![1, 1]));
		assert_noop!(
			Attribution::submit_inference(origin(3), 2, 1, 0, Perbill::one(), shares(&[])),
			Error::<Test>::AttestorSuspended
		);
		assert_ok!(Attribution::reinstate(RuntimeOrigin::root(), 3));
		assert_eq!(Attribution::strikes(&3), 0);
		assert_noop!(Attribution::reinstate(RuntimeOrigin::root(), 3), Error::<Test>::NotSuspended);
	});
}

#[test]
fn open_jobs_expire_after_their_deadline() {
	run_test(|| {
		open_jobs();
		MODELS.with(|m| m.borrow_mut().insert(1, ModelStatus::Training));
		assert_ok!(<Attribution as AttributionJobs>::request_training(1)); // job 2
		assert_ok!(Attribution::submit_inference(origin(1), 1, 1, 0, Perbill::one(), shares(&[])));
		// The inference's deadline is block 6: still open in it, expired in block 7.
		run_to(1 + INFERENCE_PERIOD);
		assert!(Jobs::<Test>::contains_key(1));
		run_to(2 + INFERENCE_PERIOD);
		assert!(!Jobs::<Test>::contains_key(1));
		assert_eq!(Submissions::<Test>::iter_prefix(1).count(), 0);
		assert_eq!(EXPIRED.with(|e| e.borrow().clone()), vec![7]);
		assert!(events().contains(&Event::JobExpired {
			job: 1,
			kind: JobKind::Infer { inference: 7, model: 0 },
			submissions: 1,
		}));
		run_to(2 + TRAINING_PERIOD);
		assert_eq!(MockModels::model(1).unwrap().status, ModelStatus::Failed);
		assert!(Jobs::<Test>::iter().next().is_none());
		Attribution::do_try_state().unwrap();
	});
}

#[test]
fn retiring_a_model_cancels_its_training_job_and_nothing_else() {
	run_test(|| {
		open_jobs(); // job 0 trains model 0, job 1 infers with it
		MODELS.with(|m| m.borrow_mut().insert(1, ModelStatus::Training));
		assert_ok!(<Attribution as AttributionJobs>::request_training(1)); // job 2
		assert_eq!(TrainingJobs::<Test>::get(1), Some(2));
		assert_ok!(Attribution::submit_training(origin(1), 2, outcome(900_000_000, 1)));
		<Attribution as AttributionJobs>::cancel_training(1);
		assert!(!Jobs::<Test>::contains_key(2));
		assert_eq!(TrainingJobs::<Test>::get(1), None);
		assert_eq!(Submissions::<Test>::iter_prefix(2).count(), 0);
		assert!(events().contains(&Event::JobCancelled {
			job: 2,
			kind: JobKind::Train { model: 1 },
			submissions: 1,
		}));
		// A late answer names a job that is gone; the other jobs stay open.
		assert_noop!(
			Attribution::submit_training(origin(2), 2, outcome(900_000_000, 1)),
			Error::<Test>::UnknownJob
		);
		assert!(Jobs::<Test>::contains_key(0) && Jobs::<Test>::contains_key(1));
		// Cancelling a model without a training job changes nothing.
		<Attribution as AttributionJobs>::cancel_training(1);
		<Attribution as AttributionJobs>::cancel_training(9);
		assert_eq!(Jobs::<Test>::iter().count(), 2);
		// Nothing expires for the cancelled job at its deadline.
		run_to(2 + TRAINING_PERIOD);
		assert_eq!(MockModels::model(1).unwrap().status, ModelStatus::Training);
		Attribution::do_try_state().unwrap();
	});
}

#[test]
fn strikes_decay_and_only_strikes_within_the_decay_add_up_to_a_suspension() {
	run_test(|| {
		let far = |job| {
			// Attestor 3 puts all the share on another record: a strike at quorum.
			assert_ok!(<Attribution as AttributionJobs>::request_inference(job, 0, vec![1, 1]));
			for (who, record) in [(1, 0), (2, 0), (3, 3)] {
				let list = shares(&[(record, 1_000_000_000)]);
				assert_ok!(Attribution::submit_inference(
					origin(who),
					job,
					1,
					0,
					Perbill::one(),
					list
				));
			}
		};
		far(0);
		assert_eq!(Attribution::strikes(&3), 1);
		// One strike is forgiven STRIKE_DECAY blocks later, not before.
		run_to(1 + STRIKE_DECAY - 1);
		assert_eq!(Attribution::strikes(&3), 1);
		run_to(1 + STRIKE_DECAY);
		assert_eq!(Attribution::strikes(&3), 0);
		// So a second strike after the decay is the first again: no suspension at 2.
		far(1);
		assert_eq!(Attribution::strikes(&3), 1);
		assert!(!Suspended::<Test>::contains_key(3));
		// Two strikes within the decay suspend.
		far(2);
		assert_eq!(Attribution::strikes(&3), 2);
		assert!(Suspended::<Test>::contains_key(3));
	});
}

#[test]
fn the_quorum_never_exceeds_the_active_committee_members() {
	run_test(|| {
		assert_ok!(<Attribution as AttributionJobs>::request_inference(0, 0, vec![1, 1]));
		assert_eq!(Attribution::quorum(&Jobs::<Test>::get(0).unwrap()), 3);
		// Attestor 3 is suspended: two active members close a job with a quorum of 3.
		Suspended::<Test>::insert(3, ());
		assert_eq!(Attribution::quorum(&Jobs::<Test>::get(0).unwrap()), 2);
		for who in [1, 2] {
			let list = shares(&[(0, 1_000_000_000)]);
			assert_ok!(Attribution::submit_inference(origin(who), 0, 1, 0, Perbill::one(), list));
		}
		assert!(!Jobs::<Test>::contains_key(0), "closed at two answers");
		assert!(events().iter().any(|e| matches!(e, Event::InferenceAttributed { job: 0, .. })));
		// A suspended attestor is not drawn; the quorum is never below one.
		assert_ok!(<Attribution as AttributionJobs>::request_inference(1, 0, vec![1, 1]));
		let j = Jobs::<Test>::get(1).unwrap();
		assert!(!j.committee.contains(&3) && j.committee.len() == 2);
		Suspended::<Test>::insert(1, ());
		Suspended::<Test>::insert(2, ());
		assert_eq!(Attribution::quorum(&j), 1);
		Attribution::do_try_state().unwrap();
	});
}

#[test]
fn committees_are_drawn_from_the_active_set_and_only_members_answer() {
	run_test(|| {
		assert_ok!(Attribution::add_attestor(RuntimeOrigin::root(), 4));
		let params =
			Params { quorum: 2, tolerance: 200_000_000, max_strikes: 2, committee_size: 2 };
		assert_ok!(Attribution::set_params(RuntimeOrigin::root(), params));
		// Many jobs: each has two distinct members of the four, and every attestor is drawn
		// sometimes; the draw depends on the parent hash and the job.
		let mut drawn = [0u32; 5];
		for round in 0..40u64 {
			System::set_parent_hash(H256::from_low_u64_be(round / 4));
			assert_ok!(<Attribution as AttributionJobs>::request_inference(round, 0, vec![1, 1]));
			let committee = Jobs::<Test>::get(round).unwrap().committee;
			assert_eq!(committee.len(), 2);
			assert_ne!(committee[0], committee[1]);
			for m in committee.iter() {
				drawn[*m as usize] += 1;
			}
		}
		assert!(drawn[1..].iter().all(|n| *n > 0), "{drawn:?}");
		assert_eq!(drawn.iter().sum::<u32>(), 80, "work per job is the committee, not the set");
		// The same parent hash and job give the same committee.
		let again = Attribution::draw_committee(39);
		assert_eq!(again, Jobs::<Test>::get(39).unwrap().committee);
		// A non-member is refused, by the call and by the pool; the members close the job.
		let j = Jobs::<Test>::get(0).unwrap();
		let outsider = (1..=4).find(|a| !j.committee.contains(a)).unwrap();
		let answer = |who| {
			Attribution::submit_inference(
				origin(who),
				0,
				1,
				0,
				Perbill::one(),
				shares(&[(0, 1_000_000_000)]),
			)
		};
		assert_noop!(answer(outsider), Error::<Test>::NotCommitteeMember);
		for m in j.committee.iter() {
			assert_ok!(answer(*m));
		}
		assert!(!Jobs::<Test>::contains_key(0));
		// A quorum above the committee is refused.
		let bad = Params { quorum: 3, ..params };
		assert_noop!(
			Attribution::set_params(RuntimeOrigin::root(), bad),
			Error::<Test>::InvalidParams
		);
	});
}

#[test]
fn the_admin_keeps_the_attestor_set_and_parameters() {
	run_test(|| {
		assert_noop!(Attribution::add_attestor(origin(1), 4), DispatchError::BadOrigin);
		assert_noop!(
			Attribution::add_attestor(RuntimeOrigin::root(), 1),
			Error::<Test>::AlreadyAttestor
		);
		assert_ok!(Attribution::add_attestor(RuntimeOrigin::root(), 4));
		assert_noop!(
			Attribution::add_attestor(RuntimeOrigin::root(), 5),
			Error::<Test>::TooManyAttestors
		);
		Strikes::<Test>::insert(2, StrikeRecord { count: 1, at: 1 });
		assert_ok!(Attribution::remove_attestor(RuntimeOrigin::root(), 2));
		assert_eq!(Attestors::<Test>::get().to_vec(), vec![1, 3, 4]);
		assert_eq!(Attribution::strikes(&2), 0);
		assert_noop!(
			Attribution::remove_attestor(RuntimeOrigin::root(), 2),
			Error::<Test>::NotAttestor
		);
		let params = Params { quorum: 2, tolerance: 0, max_strikes: 1, committee_size: 3 };
		assert_ok!(Attribution::set_params(RuntimeOrigin::root(), params));
		assert_eq!(ConsensusParams::<Test>::get(), params);
		for bad in [
			Params { quorum: 0, ..params },
			Params { max_strikes: 0, ..params },
			Params { tolerance: 2_000_000_001, ..params },
		] {
			assert_noop!(
				Attribution::set_params(RuntimeOrigin::root(), bad),
				Error::<Test>::InvalidParams
			);
		}
		assert_noop!(Attribution::set_params(origin(1), params), DispatchError::BadOrigin);
	});
}

/// An engine that records the chunks it receives and answers with fixed results.
#[derive(Default)]
struct MockEngine {
	chunks: Mutex<Vec<IngestChunk>>,
	trained: Mutex<Vec<TrainRequest>>,
}

impl AttributionEngine for MockEngine {
	fn ingest(&self, chunk: IngestChunk) -> Result<u32, AttributionError> {
		let end = chunk.offset + chunk.records.len() as u32;
		self.chunks.lock().unwrap().push(chunk);
		Ok(end)
	}
	fn progress(&self, _: DatasetRef) -> Option<(u32, u32)> {
		let chunks = self.chunks.lock().unwrap();
		chunks.last().map(|c| (c.offset + c.records.len() as u32, c.total))
	}
	fn train(&self, request: TrainRequest) -> Result<TrainOutcome, AttributionError> {
		self.trained.lock().unwrap().push(request);
		Ok(outcome(123, 9))
	}
	fn has_model(&self, _: ModelId) -> bool {
		!self.trained.lock().unwrap().is_empty()
	}
	fn infer(&self, request: InferRequest) -> Result<InferOutcome, AttributionError> {
		assert_eq!(request.top_k, TOP_K);
		Ok(InferOutcome {
			engine_version: 1,
			label: 1,
			confidence: Perbill::from_percent(80),
			proponents: vec![s(request.input[0] as u32, 1_000_000_000)],
			opponents: vec![],
		})
	}
}

/// A test externality with offchain storage, a transaction pool and (optionally) the engine.
fn offchain_ext(
	engine: Option<Arc<MockEngine>>,
) -> (sp_io::TestExternalities, Arc<parking_lot::RwLock<testing::PoolState>>) {
	let mut ext = new_test_ext();
	let (offchain, _) = testing::TestOffchainExt::new();
	let (pool, pool_state) = testing::TestTransactionPoolExt::new();
	ext.register_extension(OffchainDbExt::new(offchain.clone()));
	ext.register_extension(OffchainWorkerExt::new(offchain));
	ext.register_extension(TransactionPoolExt::new(pool));
	if let Some(engine) = engine {
		ext.register_extension(AttributionExt(engine));
	}
	(ext, pool_state)
}

fn pooled(state: &parking_lot::RwLock<testing::PoolState>) -> Vec<(u64, RuntimeCall)> {
	state
		.read()
		.transactions
		.iter()
		.map(|tx| {
			let xt = Extrinsic::decode(&mut &tx[..]).unwrap();
			let signer = match xt.preamble {
				sp_runtime::generic::Preamble::Signed(who, ..) => who,
				_ => panic!("the worker sends signed transactions"),
			};
			(signer, xt.function)
		})
		.collect()
}

#[test]
fn the_worker_trains_through_the_engine_in_chunks_and_submits_once() {
	let engine = Arc::new(MockEngine::default());
	let (mut ext, pool) = offchain_ext(Some(engine.clone()));
	ext.execute_with(|| {
		// Key 1 is an attestor, key 9 is not.
		UintAuthorityId::set_all_keys(vec![1, 9]);
		assert_ok!(<Attribution as AttributionJobs>::request_training(0));
		Attribution::offchain_worker(1);
		let sent = pooled(&pool);
		assert_eq!(
			sent,
			vec![(
				1,
				RuntimeCall::Attribution(Call::submit_training {
					job: 0,
					outcome: outcome(123, 9)
				})
			)]
		);
		// Six records in chunks of four, in order; the removed record 5 has no payload.
		let chunks = engine.chunks.lock().unwrap().clone();
		assert_eq!(
			chunks.iter().map(|c| (c.offset, c.records.len())).collect::<Vec<_>>(),
			vec![(0, 4), (4, 2)]
		);
		assert_eq!(chunks[1].records[1], (vec![], 2));
		assert_eq!(chunks[0].records[1], (vec![1, 8], 1));
		assert_eq!(chunks[0].schema, SCHEMA);
		assert_eq!(engine.trained.lock().unwrap()[0].spec, spec());
		// The next block's worker does not answer again while the claim stands.
		Attribution::offchain_worker(2);
		assert_eq!(pooled(&pool).len(), 1);
	});
}

#[test]
fn the_worker_attributes_inferences_with_the_engine() {
	let engine = Arc::new(MockEngine::default());
	let (mut ext, pool) = offchain_ext(Some(engine.clone()));
	ext.execute_with(|| {
		UintAuthorityId::set_all_keys(vec![2, 3]);
		activate_model_0();
		assert_ok!(<Attribution as AttributionJobs>::request_inference(7, 0, vec![3, 4]));
		Attribution::offchain_worker(1);
		let expected = RuntimeCall::Attribution(Call::submit_inference {
			job: 0,
			engine_version: 1,
			label: 1,
			confidence: Perbill::from_percent(80),
			shares: shares(&[(3, 1_000_000_000)]),
		});
		// Both local attestors answer; the model was trained first, since the engine lacked it.
		assert_eq!(pooled(&pool), vec![(2, expected.clone()), (3, expected)]);
		assert_eq!(engine.trained.lock().unwrap().len(), 1);
	});
}

#[test]
fn the_worker_takes_jobs_earliest_deadline_first() {
	let engine = Arc::new(MockEngine::default());
	let (mut ext, pool) = offchain_ext(Some(engine));
	ext.execute_with(|| {
		UintAuthorityId::set_all_keys(vec![2]);
		activate_model_0();
		// Jobs 0 and 1 train (deadline 21), job 2 infers in block 2 (deadline 7) and job 3 in
		// block 3 (deadline 8). Two jobs a block: the inferences go first, whatever the hash
		// order of their ids.
		MODELS.with(|m| m.borrow_mut().insert(1, ModelStatus::Training));
		assert_ok!(<Attribution as AttributionJobs>::request_training(0));
		assert_ok!(<Attribution as AttributionJobs>::request_training(1));
		System::set_block_number(2);
		assert_ok!(<Attribution as AttributionJobs>::request_inference(7, 0, vec![3, 4]));
		System::set_block_number(3);
		assert_ok!(<Attribution as AttributionJobs>::request_inference(8, 0, vec![5, 4]));
		Attribution::offchain_worker(3);
		let jobs: Vec<u64> = pooled(&pool)
			.into_iter()
			.map(|(_, call)| match call {
				RuntimeCall::Attribution(Call::submit_inference { job, .. }) => job,
				RuntimeCall::Attribution(Call::submit_training { job, .. }) => job,
				other => panic!("unexpected call {other:?}"),
			})
			.collect();
		assert_eq!(jobs, vec![2, 3]);
		Attribution::offchain_worker(4);
		assert_eq!(pooled(&pool).len(), 4, "then the training jobs");
	});
}

#[test]
fn workers_of_consecutive_blocks_sign_with_consecutive_nonces() {
	use frame_support::storage::{with_transaction, TransactionOutcome};
	use ocw::{next_nonce, nonce_used, NONCE_WINDOW, RETRY_AFTER};
	let engine = Arc::new(MockEngine::default());
	let (mut ext, pool) = offchain_ext(Some(engine));
	ext.execute_with(|| {
		UintAuthorityId::set_all_keys(vec![2]);
		activate_model_0();
		// As on a node, a worker's changes to the state are discarded.
		let worker = |n: u64| {
			with_transaction(|| {
				Attribution::offchain_worker(n);
				TransactionOutcome::Rollback(Ok::<_, DispatchError>(()))
			})
			.unwrap()
		};
		assert_ok!(<Attribution as AttributionJobs>::request_inference(7, 0, vec![3, 4]));
		worker(1);
		// The next block does not include the first answer yet: the chain's nonce is still 0.
		assert_ok!(<Attribution as AttributionJobs>::request_inference(8, 0, vec![5, 6]));
		worker(2);
		assert_eq!(pooled(&pool).len(), 2);
		assert_eq!(frame_system::Pallet::<Test>::account_nonce(2), 0);
		assert_eq!(next_nonce::<Test>(&2, 3), 2, "the two answers took nonces 0 and 1");

		// Once the chain has counted them, its nonce is the one.
		frame_system::Account::<Test>::mutate(2, |a| a.nonce = 2);
		assert_eq!(next_nonce::<Test>(&2, 3), 2);
		// A kept nonce too far ahead of the chain's (a lost transaction) is distrusted...
		nonce_used::<Test>(&2, 2 + NONCE_WINDOW, 3);
		assert_eq!(next_nonce::<Test>(&2, 3), 2);
		// ... and so is one kept for as long as a claim.
		nonce_used::<Test>(&2, 4, 3);
		assert_eq!(next_nonce::<Test>(&2, 3 + u64::from(RETRY_AFTER) - 1), 5);
		assert_eq!(next_nonce::<Test>(&2, 3 + u64::from(RETRY_AFTER)), 2);
	});
}

#[test]
fn without_an_engine_the_worker_sends_nothing() {
	let (mut ext, pool) = offchain_ext(None);
	ext.execute_with(|| {
		UintAuthorityId::set_all_keys(vec![1]);
		assert_ok!(<Attribution as AttributionJobs>::request_training(0));
		Attribution::offchain_worker(1);
		assert!(pooled(&pool).is_empty());
	});
}

#[test]
fn a_node_without_attestor_keys_does_nothing() {
	let engine = Arc::new(MockEngine::default());
	let (mut ext, pool) = offchain_ext(Some(engine.clone()));
	ext.execute_with(|| {
		UintAuthorityId::set_all_keys(vec![8, 9]);
		assert_ok!(<Attribution as AttributionJobs>::request_training(0));
		Attribution::offchain_worker(1);
		assert!(pooled(&pool).is_empty());
		assert!(engine.chunks.lock().unwrap().is_empty());
	});
}

#[test]
fn the_pool_rejects_attestations_that_would_fail_and_passes_everything_else() {
	use frame_support::dispatch::{DispatchInfo, GetDispatchInfo};
	use sp_runtime::{
		traits::DispatchTransaction,
		transaction_validity::{InvalidTransaction, TransactionSource, TransactionValidityError},
	};
	run_test(|| {
		open_jobs(); // job 0 trains model 0
		let check = |who: AccountId, call: RuntimeCall| {
			let info: DispatchInfo = call.get_dispatch_info();
			CheckAttestation::<Test>::new()
				.validate_only(Some(who).into(), &call, &info, 0, TransactionSource::External, 0)
				.map(|_| ())
		};
		let train = |job| {
			RuntimeCall::Attribution(Call::submit_training {
				job,
				outcome: outcome(900_000_000, 1),
			})
		};
		let stale = Err(TransactionValidityError::Invalid(InvalidTransaction::Stale));
		let bad = Err(TransactionValidityError::Invalid(InvalidTransaction::BadSigner));
		assert_eq!(check(1, train(0)), Ok(()));
		assert_eq!(check(9, train(0)), bad, "not an attestor");
		assert_eq!(check(1, train(42)), stale, "no such job");
		assert_ok!(Attribution::submit_training(origin(1), 0, outcome(900_000_000, 1)));
		assert_eq!(check(1, train(0)), stale, "answered already");
		// Past the deadline, and after the job closed.
		run_to(2 + TRAINING_PERIOD);
		assert_eq!(check(2, train(0)), stale);
		// Every other call passes, whoever sends it.
		let remark = RuntimeCall::System(frame_system::Call::remark { remark: vec![1] });
		assert_eq!(check(9, remark), Ok(()));
		// The checks are the calls' own: what the pool rejects, the call rejects too.
		assert_noop!(
			Attribution::submit_training(origin(2), 0, outcome(900_000_000, 1)),
			Error::<Test>::UnknownJob
		);
	});
}
