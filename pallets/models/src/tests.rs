//! Unit tests: every call's success path and every named error; `run_test` checks that
//! deposits equal held balances after each test.

use frame_support::{assert_noop, assert_ok, traits::fungible::InspectHold, BoundedVec};
use sp_core::H256;
use sp_runtime::{DispatchError, Perbill, TokenError};

use openledger_primitives::{
	datanets::Schema,
	traits::{AssetKind, Holdings, TestHoldings},
};

use crate::mock::Models;
use crate::{mock::*, *};

fn origin(who: AccountId) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

fn held(who: AccountId) -> Balance {
	Balances::balance_on_hold(&HoldReason::ModelDeposit.into(), &who)
}

fn mlp() -> ModelSpec {
	ModelSpec {
		featurizer: Featurizer::Raw,
		architecture: Architecture::Mlp2 { hidden: [64, 32] },
		epochs: 30,
		learning_rate: Perbill::from_percent(5),
		batch_size: 32,
		l2: Perbill::from_parts(10_000),
		seed: 42,
		method: AttributionMethod::Influence,
	}
}

fn register(spec: ModelSpec) -> ModelId {
	let id = NextModelId::<Test>::get();
	assert_ok!(Models::register(origin(ALICE), DIGITS, 1, spec, 25, b"digits-mlp".to_vec()));
	id
}

#[test]
fn register_holds_the_deposit_and_starts_training() {
	run_test(|| {
		let id = register(mlp());
		let deposit = MODEL_DEPOSIT + 10 * DEPOSIT_PER_BYTE;
		System::assert_last_event(
			Event::ModelRegistered {
				model: id,
				owner: ALICE,
				sources: vec![Source { datanet: DIGITS, version: 1, records: 10, weight: 1 }],
				fee: 25,
				deposit,
			}
			.into(),
		);
		let m = crate::Models::<Test>::get(id).unwrap();
		assert_eq!((m.owner, m.fee), (ALICE, 25));
		assert_eq!(
			m.sources.to_vec(),
			[Source { datanet: DIGITS, version: 1, records: 10, weight: 1 }]
		);
		assert_eq!(m.status, ModelStatus::Training);
		assert_eq!(m.spec, mlp());
		assert_eq!(held(ALICE), deposit);
		assert_eq!(Models::model_info(id).unwrap().metadata, b"digits-mlp".to_vec());
		// A text model with hashed n-grams on the Text Datanet.
		let text = ModelSpec { featurizer: Featurizer::HashedNgrams { dims: 1024 }, ..mlp() };
		assert_ok!(Models::register(origin(BOB), TEXT, 1, text, 0, vec![]));
	});
}

fn mix(
	sources: &[(DatanetId, VersionIndex, u8)],
) -> BoundedVec<(DatanetId, VersionIndex, u8), <Test as Config>::MaxSources> {
	BoundedVec::truncate_from(sources.to_vec())
}

#[test]
fn a_model_on_several_datanets_keeps_each_version_its_count_and_its_weight() {
	run_test(|| {
		let id = NextModelId::<Test>::get();
		let sources = mix(&[(MORE_DIGITS, 1, 3), (DIGITS, 2, 1)]);
		assert_ok!(Models::register_mix(origin(ALICE), sources, mlp(), 25, vec![]));
		let expected = vec![
			Source { datanet: MORE_DIGITS, version: 1, records: 10, weight: 3 },
			Source { datanet: DIGITS, version: 2, records: 20, weight: 1 },
		];
		System::assert_last_event(
			Event::ModelRegistered {
				model: id,
				owner: ALICE,
				sources: expected.clone(),
				fee: 25,
				deposit: MODEL_DEPOSIT,
			}
			.into(),
		);
		let m = Models::model_info(id).unwrap();
		assert_eq!(m.sources, expected);
		// Position 12 is the second source's record 2: Datanet `DIGITS`'s log position 2.
		assert_eq!(m.locate(12), Some((DIGITS, 2, 2)));
		assert_eq!(m.locate(30), None);
		// The cost limit counts the weighted records: 10 × 3 + 20 = 50 fits, 10 × 4 + 20 not.
		let schema = Schema::Dense { dims: 64, classes: 10, max_value: 16 };
		CostLimit::<Test>::put(mlp().cost(&schema, 50));
		assert_ok!(Models::register_mix(
			origin(ALICE),
			mix(&[(MORE_DIGITS, 1, 3), (DIGITS, 2, 1)]),
			mlp(),
			0,
			vec![]
		));
		assert_noop!(
			Models::register_mix(
				origin(ALICE),
				mix(&[(MORE_DIGITS, 1, 4), (DIGITS, 2, 1)]),
				mlp(),
				0,
				vec![]
			),
			Error::<Test>::InvalidSpec(SpecError::MemoryOverLimit)
		);
	});
}

#[test]
fn register_mix_refuses_sources_that_do_not_fit_by_name() {
	run_test(|| {
		let r = |sources: &[(DatanetId, VersionIndex, u8)], spec| {
			Models::register_mix(origin(ALICE), mix(sources), spec, 1, vec![])
		};
		assert_noop!(r(&[], mlp()), Error::<Test>::NoSources);
		assert_noop!(
			Models::do_register(
				ALICE,
				&[(DIGITS, 1, 1), (MORE_DIGITS, 1, 1), (TEXT, 1, 1), (HUGE, 1, 1)],
				mlp(),
				1,
				vec![]
			),
			Error::<Test>::TooManySources
		);
		assert_noop!(r(&[(DIGITS, 1, 1), (DIGITS, 2, 1)], mlp()), Error::<Test>::DuplicateDatanet);
		for weight in [0, MAX_SOURCE_WEIGHT + 1] {
			assert_noop!(r(&[(DIGITS, 1, weight)], mlp()), Error::<Test>::WeightOutOfBounds);
		}
		assert_noop!(r(&[(DIGITS, 1, 1), (TEXT, 1, 1)], mlp()), Error::<Test>::SchemaMismatch);
		assert_noop!(r(&[(DIGITS, 1, 1), (9, 1, 1)], mlp()), Error::<Test>::UnknownDatanet);
		assert_noop!(
			r(&[(DIGITS, 1, 1), (MORE_DIGITS, 2, 1)], mlp()),
			Error::<Test>::UnknownVersion
		);
		assert_noop!(r(&[(HUGE, 1, 1), (DIGITS, 1, 1)], mlp()), Error::<Test>::Overflow);
		let gram = ModelSpec {
			featurizer: Featurizer::Words,
			architecture: Architecture::InfiniGram { max_tokens: 8 },
			..mlp()
		};
		assert_noop!(r(&[(TEXT, 1, 2)], gram), Error::<Test>::WeightedIndex);
		assert_ok!(r(&[(TEXT, 1, 1)], gram));
	});
}

#[test]
fn register_checks_the_datanet_and_the_spec() {
	run_test(|| {
		let r = |datanet, version, spec| {
			Models::register(origin(ALICE), datanet, version, spec, 1, vec![])
		};
		assert_noop!(r(7, 1, mlp()), Error::<Test>::UnknownDatanet);
		assert_noop!(r(DIGITS, 3, mlp()), Error::<Test>::UnknownVersion);
		assert_noop!(r(DIGITS, 0, mlp()), Error::<Test>::UnknownVersion);
		assert_noop!(r(TEXT, 1, mlp()), Error::<Test>::InvalidSpec(SpecError::FeaturizerMismatch));
		let hashed = |dims| ModelSpec { featurizer: Featurizer::HashedNgrams { dims }, ..mlp() };
		assert_noop!(
			r(DIGITS, 1, hashed(1024)),
			Error::<Test>::InvalidSpec(SpecError::FeaturizerMismatch)
		);
		assert_noop!(
			r(TEXT, 1, hashed(8)),
			Error::<Test>::InvalidSpec(SpecError::FeatureDimsOutOfBounds)
		);
		assert_noop!(
			r(TEXT, 1, hashed(8192)),
			Error::<Test>::InvalidSpec(SpecError::FeatureDimsOutOfBounds)
		);
		let arch = |architecture| ModelSpec { architecture, ..mlp() };
		assert_noop!(
			r(DIGITS, 1, arch(Architecture::Mlp1 { hidden: 0 })),
			Error::<Test>::InvalidSpec(SpecError::HiddenWidthOutOfBounds)
		);
		assert_noop!(
			r(DIGITS, 1, arch(Architecture::Mlp2 { hidden: [8, 300] })),
			Error::<Test>::InvalidSpec(SpecError::HiddenWidthOutOfBounds)
		);
		assert_noop!(
			r(DIGITS, 1, ModelSpec { epochs: 0, ..mlp() }),
			Error::<Test>::InvalidSpec(SpecError::EpochsOutOfBounds)
		);
		assert_noop!(
			r(DIGITS, 1, ModelSpec { epochs: 201, ..mlp() }),
			Error::<Test>::InvalidSpec(SpecError::EpochsOutOfBounds)
		);
		assert_noop!(
			r(DIGITS, 1, ModelSpec { batch_size: 0, ..mlp() }),
			Error::<Test>::InvalidSpec(SpecError::BatchSizeOutOfBounds)
		);
		assert_noop!(
			r(DIGITS, 1, ModelSpec { learning_rate: Perbill::zero(), ..mlp() }),
			Error::<Test>::InvalidSpec(SpecError::ZeroLearningRate)
		);
		assert_noop!(
			Models::register(origin(ALICE), DIGITS, 1, mlp(), 1, vec![0; 33]),
			Error::<Test>::MetadataTooLong
		);
		assert_noop!(
			Models::register(origin(POOR), DIGITS, 1, mlp(), 1, vec![]),
			DispatchError::Token(TokenError::FundsUnavailable)
		);
	});
}

#[test]
fn owners_set_fees() {
	run_test(|| {
		let id = register(mlp());
		assert_ok!(Models::set_fee(origin(ALICE), id, 99));
		System::assert_last_event(Event::FeeSet { model: id, fee: 99 }.into());
		assert_eq!(crate::Models::<Test>::get(id).unwrap().fee, 99);
		assert_noop!(Models::set_fee(origin(BOB), id, 1), Error::<Test>::NotOwner);
		assert_noop!(Models::set_fee(origin(ALICE), 9, 1), Error::<Test>::UnknownModel);
		assert_ok!(Models::retire(origin(ALICE), id));
		assert_noop!(Models::set_fee(origin(ALICE), id, 1), Error::<Test>::Retired);
	});
}

#[test]
fn retiring_releases_the_deposit() {
	run_test(|| {
		let id = register(mlp());
		assert_noop!(Models::retire(origin(BOB), id), Error::<Test>::NotOwner);
		assert_noop!(Models::retire(origin(ALICE), 9), Error::<Test>::UnknownModel);
		assert_ok!(Models::retire(origin(ALICE), id));
		System::assert_last_event(Event::ModelRetired { model: id, by_moderation: false }.into());
		assert_eq!(crate::Models::<Test>::get(id).unwrap().status, ModelStatus::Retired);
		assert_eq!(held(ALICE), 0);
		assert_noop!(Models::retire(origin(ALICE), id), Error::<Test>::Retired);
	});
}

#[test]
fn a_model_is_an_item_and_its_holder_owns_it() {
	run_test(|| {
		let id = register(mlp());
		assert_eq!(TestHoldings::holder(AssetKind::Model, id), Some(ALICE));
		assert_eq!(<Models as ModelInspect<_, _>>::model(id).unwrap().owner, ALICE);
		// Alice sells it to Bob: Bob sets its fee and is its owner for every reader; Alice
		// can do neither, and her deposit stays held on her until the model retires.
		TestHoldings::transfer(AssetKind::Model, id, &BOB);
		assert_noop!(Models::set_fee(origin(ALICE), id, 1), Error::<Test>::NotOwner);
		assert_ok!(Models::set_fee(origin(BOB), id, 7));
		assert_eq!(<Models as ModelInspect<_, _>>::model(id).unwrap().owner, BOB);
		assert_eq!(Models::model_info(id).unwrap().owner, BOB);
		assert_eq!(crate::Models::<Test>::get(id).unwrap().owner, ALICE, "the registrant");
		let deposit = held(ALICE);
		assert!(deposit > 0);
		assert_noop!(Models::retire(origin(ALICE), id), Error::<Test>::NotOwner);
		assert_ok!(Models::retire(origin(BOB), id));
		assert_eq!(held(ALICE), 0, "released to the registrant");
	});
}

#[test]
fn the_v5_migration_mints_each_models_item_to_its_registrant() {
	use frame_support::traits::UncheckedOnRuntimeUpgrade;
	run_test(|| {
		let id = register(mlp());
		// A model stored before models were items: no item yet.
		let m = crate::Models::<Test>::get(id).unwrap();
		crate::Models::<Test>::insert(id + 1, m.clone());
		NextModelId::<Test>::put(id + 2);
		assert_eq!(TestHoldings::holder(AssetKind::Model, id + 1), None::<AccountId>);
		crate::migrations::v5::ItemsOfModels::<Test>::on_runtime_upgrade();
		assert_eq!(TestHoldings::holder(AssetKind::Model, id + 1), Some(ALICE));
		assert_eq!(TestHoldings::holder(AssetKind::Model, id), Some(ALICE));
		// The copy's deposit is not held: take it out before the invariants run.
		crate::Models::<Test>::mutate(id + 1, |m| m.as_mut().unwrap().deposit = 0);
	});
}

#[test]
fn moderation_retires_any_model() {
	run_test(|| {
		let id = register(mlp());
		assert_noop!(Models::force_retire(origin(BOB), id), DispatchError::BadOrigin);
		assert_noop!(Models::force_retire(RuntimeOrigin::root(), 9), Error::<Test>::UnknownModel);
		assert_ok!(Models::force_retire(RuntimeOrigin::root(), id));
		System::assert_last_event(Event::ModelRetired { model: id, by_moderation: true }.into());
		assert_eq!(held(ALICE), 0);
		assert_noop!(Models::force_retire(RuntimeOrigin::root(), id), Error::<Test>::Retired);
	});
}

#[test]
fn lifecycle_moves_training_models_only() {
	run_test(|| {
		let a = register(mlp());
		let b = register(mlp());
		let hash = H256::repeat_byte(7);
		assert_ok!(<Models as ModelLifecycle>::activate(a, Perbill::from_percent(93), hash));
		System::assert_last_event(
			Event::ModelActivated {
				model: a,
				accuracy: Perbill::from_percent(93),
				weights_hash: hash,
			}
			.into(),
		);
		assert_eq!(
			<Models as ModelInspect<_, _>>::model(a).unwrap().status,
			ModelStatus::Active { accuracy: Perbill::from_percent(93), weights_hash: hash }
		);
		assert_noop!(<Models as ModelLifecycle>::fail(a), Error::<Test>::NotTraining);
		assert_ok!(<Models as ModelLifecycle>::fail(b));
		assert_eq!(crate::Models::<Test>::get(b).unwrap().status, ModelStatus::Failed);
		assert_noop!(
			<Models as ModelLifecycle>::activate(b, Perbill::one(), hash),
			Error::<Test>::NotTraining
		);
		assert_noop!(<Models as ModelLifecycle>::fail(9), Error::<Test>::UnknownModel);
		assert!(<Models as ModelInspect<_, _>>::model(9).is_none());
	});
}

#[test]
fn ids_do_not_overflow() {
	run_test(|| {
		NextModelId::<Test>::put(ModelId::MAX);
		assert_noop!(
			Models::register(origin(ALICE), DIGITS, 1, mlp(), 1, vec![]),
			Error::<Test>::Overflow
		);
	});
}

#[test]
fn a_spec_over_the_cost_limit_fails_with_its_named_error_and_changes_nothing() {
	run_test(|| {
		// A wide text MLP: 4,096 hashed dims into 256 and 256 hidden units, about 1.1 million
		// parameters; its first layer's K-FAC factor of side 4,097 and that factor's Cholesky
		// factor alone are 268 MB: above 64 MiB.
		let wide = ModelSpec {
			featurizer: Featurizer::HashedNgrams { dims: 4096 },
			architecture: Architecture::Mlp2 { hidden: [256, 256] },
			epochs: 200,
			..mlp()
		};
		let schema = Schema::Text { classes: 3 };
		let cost = wide.cost(&schema, 10);
		assert!(cost.bytes > DefaultCostLimit::get().bytes, "{cost:?}");
		let register = |spec| Models::register(origin(ALICE), TEXT, 1, spec, 25, Vec::new());
		let next = NextModelId::<Test>::get();
		assert_noop!(register(wide), Error::<Test>::InvalidSpec(SpecError::MemoryOverLimit));

		// With the memory limit lifted, the same spec is over the compute limit.
		let memory_only = SpecCost { bytes: u64::MAX, ..DefaultCostLimit::get() };
		assert_noop!(Models::set_cost_limit(origin(ALICE), memory_only), DispatchError::BadOrigin);
		assert_ok!(Models::set_cost_limit(RuntimeOrigin::root(), memory_only));
		System::assert_last_event(Event::CostLimitSet { limit: memory_only }.into());
		assert_eq!(CostLimit::<Test>::get(), memory_only);
		assert!(cost.flops > memory_only.flops, "{cost:?}");
		assert_noop!(register(wide), Error::<Test>::InvalidSpec(SpecError::ComputeOverLimit));

		// With both lifted, it registers; the cost counts the version's records.
		let lifted = SpecCost { bytes: u64::MAX, flops: u64::MAX, query_flops: u64::MAX };
		assert_ok!(Models::set_cost_limit(RuntimeOrigin::root(), lifted));
		assert_ok!(register(wide));
		assert_eq!(NextModelId::<Test>::get(), next + 1);
		assert!(wide.cost(&schema, 20).flops > cost.flops);
	});
}

#[test]
fn a_model_attributed_by_replay_registers_within_the_query_limit_and_an_index_never() {
	run_test(|| {
		// The digits MLP by replay on the version's 10 records: within the mock's limit. Its
		// queries cost trainings, so a limit on queries just below refuses it.
		let replayed = ModelSpec { method: AttributionMethod::Replay, ..mlp() };
		let cost = replayed.cost(&Schema::Dense { dims: 64, classes: 10, max_value: 16 }, 10);
		assert!(
			cost.query_flops
				> 4 * mlp()
					.cost(&Schema::Dense { dims: 64, classes: 10, max_value: 16 }, 10)
					.query_flops
		);
		let limit = SpecCost { query_flops: cost.query_flops - 1, ..DefaultCostLimit::get() };
		assert_ok!(Models::set_cost_limit(RuntimeOrigin::root(), limit));
		let refused = Models::register(origin(ALICE), DIGITS, 1, replayed, 25, Vec::new());
		assert_noop!(refused, Error::<Test>::InvalidSpec(SpecError::QueryOverLimit));
		// The influence function's queries fit the same limit.
		register(mlp());
		let limit = SpecCost { query_flops: cost.query_flops, ..limit };
		assert_ok!(Models::set_cost_limit(RuntimeOrigin::root(), limit));
		let id = register(replayed);
		assert_eq!(
			crate::Models::<Test>::get(id).map(|m| m.spec.method),
			Some(AttributionMethod::Replay)
		);
		// An ∞-gram has no training to replay.
		let gram = ModelSpec {
			featurizer: Featurizer::Words,
			architecture: Architecture::InfiniGram { max_tokens: 16 },
			..replayed
		};
		let refused = Models::register(origin(ALICE), TEXT, 1, gram, 25, Vec::new());
		assert_noop!(refused, Error::<Test>::InvalidSpec(SpecError::MethodMismatch));
	});
}

#[test]
fn a_spec_error_travels_nested_in_invalid_spec() {
	// Clients read the pallet's variant, then the nested `SpecError`, from the module error.
	let e: DispatchError = Error::<Test>::InvalidSpec(SpecError::ZeroLearningRate).into();
	let DispatchError::Module(m) = e else { panic!("not a module error: {e:?}") };
	assert_eq!(m.error, [2, SpecError::ZeroLearningRate as u8, 0, 0]);
	assert_eq!(m.message, Some("InvalidSpec"));
}
