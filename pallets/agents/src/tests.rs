//! Unit tests: every call's success path and every named error; `run_test` checks that bonds
//! equal held balances after each test.

use frame_support::{
	assert_noop, assert_ok,
	traits::fungible::{Inspect, InspectHold},
};
use sp_runtime::{DispatchError, Perbill, TokenError};

use openledger_primitives::{
	attribution::RecordShare,
	traits::{AssetKind, Holdings, TestHoldings},
};

use crate::mock::Agents;
use crate::{mock::*, *};

fn origin(who: AccountId) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

fn held(who: AccountId) -> Balance {
	Balances::balance_on_hold(&HoldReason::AgentBond.into(), &who)
}

fn register(model: ModelId) -> AgentId {
	let id = NextAgentId::<Test>::get();
	assert_ok!(Agents::register(origin(ALICE), model, b"bot".to_vec(), 5));
	id
}

#[test]
fn register_holds_the_bond() {
	run_test(|| {
		let id = register(TRAINING);
		System::assert_last_event(
			Event::AgentRegistered { agent: id, owner: ALICE, model: TRAINING, fee: 5, bond: BOND }
				.into(),
		);
		let a = crate::Agents::<Test>::get(id).unwrap();
		assert_eq!((a.owner, a.model, a.fee, a.bond), (ALICE, TRAINING, 5, BOND));
		assert_eq!(a.status, AgentStatus::Active);
		assert_eq!(held(ALICE), BOND);
		register(ACTIVE);
		assert_eq!(held(ALICE), 2 * BOND);
		assert_eq!(Agents::agent_info(id).unwrap().metadata, b"bot".to_vec());
	});
}

#[test]
fn register_checks_the_model_and_metadata() {
	run_test(|| {
		assert_noop!(Agents::register(origin(ALICE), 9, vec![], 1), Error::<Test>::UnknownModel);
		assert_noop!(
			Agents::register(origin(ALICE), FAILED, vec![], 1),
			Error::<Test>::ModelUnavailable
		);
		assert_noop!(
			Agents::register(origin(ALICE), RETIRED, vec![], 1),
			Error::<Test>::ModelUnavailable
		);
		assert_noop!(
			Agents::register(origin(ALICE), ACTIVE, vec![0; 17], 1),
			Error::<Test>::MetadataTooLong
		);
		assert_noop!(
			Agents::register(origin(POOR), ACTIVE, vec![], 1),
			DispatchError::Token(TokenError::FundsUnavailable)
		);
	});
}

#[test]
fn owners_set_metadata_and_fees_while_active() {
	run_test(|| {
		let id = register(ACTIVE);
		assert_ok!(Agents::set_metadata(origin(ALICE), id, b"new".to_vec()));
		System::assert_last_event(Event::MetadataSet { agent: id }.into());
		assert_eq!(crate::Agents::<Test>::get(id).unwrap().metadata.into_inner(), b"new".to_vec());
		assert_ok!(Agents::set_fee(origin(ALICE), id, 77));
		System::assert_last_event(Event::FeeSet { agent: id, fee: 77 }.into());
		assert_eq!(crate::Agents::<Test>::get(id).unwrap().fee, 77);

		assert_noop!(
			Agents::set_metadata(origin(ALICE), id, vec![0; 17]),
			Error::<Test>::MetadataTooLong
		);
		assert_noop!(Agents::set_metadata(origin(BOB), id, vec![]), Error::<Test>::NotOwner);
		assert_noop!(Agents::set_fee(origin(BOB), id, 1), Error::<Test>::NotOwner);
		assert_noop!(Agents::set_fee(origin(ALICE), 9, 1), Error::<Test>::UnknownAgent);
		assert_ok!(Agents::unregister(origin(ALICE), id));
		assert_noop!(Agents::set_fee(origin(ALICE), id, 1), Error::<Test>::NotActive);
		assert_noop!(Agents::set_metadata(origin(ALICE), id, vec![]), Error::<Test>::NotActive);
	});
}

#[test]
fn unbonding_releases_the_bond_after_the_delay() {
	run_test(|| {
		let id = register(ACTIVE);
		assert_noop!(Agents::withdraw_bond(origin(ALICE), id), Error::<Test>::NotUnbonding);
		assert_noop!(Agents::unregister(origin(BOB), id), Error::<Test>::NotOwner);
		assert_ok!(Agents::unregister(origin(ALICE), id));
		let until = 1 + UNBONDING;
		System::assert_last_event(Event::AgentUnregistered { agent: id, until }.into());
		assert_eq!(
			crate::Agents::<Test>::get(id).unwrap().status,
			AgentStatus::Unbonding { until }
		);
		assert_noop!(Agents::unregister(origin(ALICE), id), Error::<Test>::NotActive);

		System::set_block_number(until - 1);
		assert_noop!(Agents::withdraw_bond(origin(ALICE), id), Error::<Test>::StillUnbonding);
		assert_noop!(Agents::withdraw_bond(origin(BOB), id), Error::<Test>::NotOwner);
		System::set_block_number(until);
		let free = Balances::balance(&ALICE);
		assert_ok!(Agents::withdraw_bond(origin(ALICE), id));
		System::assert_last_event(Event::BondWithdrawn { agent: id, amount: BOND }.into());
		assert!(crate::Agents::<Test>::get(id).is_none());
		assert_eq!(held(ALICE), 0);
		assert_eq!(Balances::balance(&ALICE), free + BOND);
		assert_noop!(Agents::withdraw_bond(origin(ALICE), id), Error::<Test>::UnknownAgent);
	});
}

#[test]
fn moderation_slashes_a_fraction_of_the_bond() {
	run_test(|| {
		let id = register(ACTIVE);
		assert_noop!(
			Agents::slash(origin(BOB), id, Perbill::from_percent(10)),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Agents::slash(RuntimeOrigin::root(), 9, Perbill::from_percent(10)),
			Error::<Test>::UnknownAgent
		);
		assert_noop!(
			Agents::slash(RuntimeOrigin::root(), id, Perbill::zero()),
			Error::<Test>::NothingToSlash
		);

		let treasury = Balances::balance(&TREASURY);
		assert_ok!(Agents::slash(RuntimeOrigin::root(), id, Perbill::from_percent(30)));
		System::assert_last_event(Event::AgentSlashed { agent: id, amount: 300 }.into());
		assert_eq!(crate::Agents::<Test>::get(id).unwrap().bond, 700);
		assert_eq!(held(ALICE), 700);
		assert_eq!(Balances::balance(&TREASURY), treasury + 300);

		// An unbonding agent can be slashed too; withdrawal releases what is left.
		assert_ok!(Agents::unregister(origin(ALICE), id));
		assert_ok!(Agents::slash(RuntimeOrigin::root(), id, Perbill::one()));
		assert_eq!(crate::Agents::<Test>::get(id).unwrap().bond, 0);
		assert_noop!(
			Agents::slash(RuntimeOrigin::root(), id, Perbill::one()),
			Error::<Test>::NothingToSlash
		);
		System::set_block_number(1 + UNBONDING);
		assert_ok!(Agents::withdraw_bond(origin(ALICE), id));
		System::assert_last_event(Event::BondWithdrawn { agent: id, amount: 0 }.into());
	});
}

#[test]
fn ids_do_not_overflow() {
	run_test(|| {
		NextAgentId::<Test>::put(AgentId::MAX);
		assert_noop!(Agents::register(origin(ALICE), ACTIVE, vec![], 1), Error::<Test>::Overflow);
	});
}

fn inference_fee_held(who: AccountId) -> Balance {
	Balances::balance_on_hold(&HoldReason::InferenceFee.into(), &who)
}

#[test]
fn invoke_holds_both_fees_and_opens_a_job() {
	run_test(|| {
		let agent = register(ACTIVE);
		assert_ok!(Agents::set_fee(origin(ALICE), agent, 5));
		let before = Balances::balance(&BOB);
		assert_ok!(Agents::invoke(origin(BOB), agent, vec![3, 4], 15));
		System::assert_last_event(
			Event::InferenceRequested { inference: 0, agent, model: ACTIVE, caller: BOB, fee: 15 }
				.into(),
		);
		assert_eq!(inference_fee_held(BOB), 15);
		assert_eq!(Balances::balance(&BOB), before - 15);
		assert_eq!(JOBS.with(|j| j.borrow().clone()), vec![(0, ACTIVE, vec![3, 4])]);
		let inf = Inferences::<Test>::get(0).unwrap();
		assert_eq!((inf.caller, inf.model_fee, inf.agent_fee), (BOB, 10, 5));
		assert_eq!(inf.status, InferenceStatus::Pending);
		assert_eq!(NextInferenceId::<Test>::get(), 1);
	});
}

#[test]
fn invoke_rejects_bad_calls_and_changes_nothing() {
	run_test(|| {
		let agent = register(ACTIVE);
		let training = register(TRAINING);
		assert_noop!(Agents::invoke(origin(BOB), 9, vec![1, 1], 100), Error::<Test>::UnknownAgent);
		assert_noop!(
			Agents::invoke(origin(BOB), training, vec![1, 1], 100),
			Error::<Test>::ModelNotActive
		);
		assert_noop!(Agents::invoke(origin(BOB), agent, vec![1], 100), Error::<Test>::InvalidInput);
		assert_noop!(
			Agents::invoke(origin(BOB), agent, vec![1, 10], 100),
			Error::<Test>::InvalidInput
		);
		assert_noop!(
			Agents::invoke(origin(BOB), agent, vec![1; 9], 100),
			Error::<Test>::InputTooLong
		);
		assert_noop!(Agents::invoke(origin(BOB), agent, vec![1, 1], 9), Error::<Test>::FeeAboveMax);
		// The model's 10 and the agent's 5 are below a minimum of 16: no inference, nothing held.
		assert_eq!(MinFee::<Test>::get(), MIN_FEE);
		assert_noop!(Agents::set_min_fee(origin(BOB), 16), DispatchError::BadOrigin);
		assert_ok!(Agents::set_min_fee(RuntimeOrigin::root(), 16));
		System::assert_last_event(Event::MinFeeSet { fee: 16 }.into());
		assert_noop!(
			Agents::invoke(origin(BOB), agent, vec![1, 1], 100),
			Error::<Test>::FeeBelowMinimum
		);
		assert_eq!(inference_fee_held(BOB), 0);
		// The agent's fee counts towards it.
		assert_ok!(Agents::set_fee(origin(ALICE), agent, 6));
		assert_ok!(Agents::invoke(origin(BOB), agent, vec![1, 1], 100));
		JOBS.with(|j| j.borrow_mut().clear());
		// 10 + 95 is more than POOR's 100.
		assert_ok!(Agents::set_fee(origin(ALICE), agent, 95));
		assert_noop!(
			Agents::invoke(origin(POOR), agent, vec![1, 1], 1_000),
			TokenError::FundsUnavailable
		);
		assert_ok!(Agents::unregister(origin(ALICE), agent));
		assert_noop!(Agents::invoke(origin(BOB), agent, vec![1, 1], 100), Error::<Test>::NotActive);
		assert!(JOBS.with(|j| j.borrow().is_empty()));
	});
}

#[test]
fn a_completed_inference_moves_the_fee_to_the_rewards_pot() {
	run_test(|| {
		let agent = register(ACTIVE);
		assert_ok!(Agents::set_fee(origin(ALICE), agent, 5));
		assert_ok!(Agents::invoke(origin(BOB), agent, vec![3, 4], 15));
		let shares = vec![RecordShare { record: 2, share: Perbill::one() }];
		let answer = Answer::Class { label: 1, confidence: Perbill::from_percent(80) };
		let result = InferenceResult { answer, shares: shares.clone() };
		let pot = Balances::balance(&POT);
		<Agents as InferenceHandler<AccountId>>::completed(0, &result, &[7, 8]);
		assert_eq!(inference_fee_held(BOB), 0);
		assert_eq!(Balances::balance(&POT), pot + 15);
		assert_eq!(
			DISTRIBUTED.with(|d| d.borrow().clone()),
			vec![(15, 0, 100, ALICE, shares, vec![7, 8])]
		);
		assert_eq!(Inferences::<Test>::get(0).unwrap().status, InferenceStatus::Completed(answer));
		System::assert_last_event(
			Event::InferenceCompleted { inference: 0, agent, answer, records: 1, fee: 15 }.into(),
		);
		// A second notice changes nothing.
		<Agents as InferenceHandler<AccountId>>::expired(0);
		assert_eq!(Balances::balance(&POT), pot + 15);
	});
}

#[test]
fn an_expired_inference_is_refunded_in_full() {
	run_test(|| {
		let agent = register(ACTIVE);
		let before = Balances::balance(&BOB);
		assert_ok!(Agents::invoke(origin(BOB), agent, vec![3, 4], 15));
		<Agents as InferenceHandler<AccountId>>::expired(0);
		assert_eq!(Balances::balance(&BOB), before);
		assert_eq!(inference_fee_held(BOB), 0);
		assert_eq!(Inferences::<Test>::get(0).unwrap().status, InferenceStatus::Refunded);
		System::assert_last_event(
			Event::InferenceRefunded { inference: 0, caller: BOB, amount: 15 }.into(),
		);
		assert!(DISTRIBUTED.with(|d| d.borrow().is_empty()));
	});
}

#[test]
fn an_agent_changes_hands_and_its_bond_stays_bound() {
	run_test(|| {
		let id = register(ACTIVE);
		assert_eq!(TestHoldings::holder(AssetKind::Agent, id), Some(ALICE));
		// Alice gives the agent to Bob: Bob owns it for every purpose.
		TestHoldings::transfer(AssetKind::Agent, id, &BOB);
		assert_eq!(Agents::agent_info(id).unwrap().owner, BOB);
		assert_eq!(crate::Agents::<Test>::get(id).unwrap().owner, ALICE, "the registrant");
		assert_noop!(Agents::set_fee(origin(ALICE), id, 1), Error::<Test>::NotOwner);
		assert_noop!(Agents::unregister(origin(ALICE), id), Error::<Test>::NotOwner);
		assert_ok!(Agents::set_fee(origin(BOB), id, 5));
		// The agent's part of the next fee is the holder's.
		assert_ok!(Agents::invoke(origin(BOB), id, vec![3, 4], 15));
		let answer = Answer::Class { label: 1, confidence: Perbill::from_percent(80) };
		let shares = vec![RecordShare { record: 2, share: Perbill::one() }];
		let result = InferenceResult { answer, shares: shares.clone() };
		<Agents as InferenceHandler<AccountId>>::completed(0, &result, &[7]);
		assert_eq!(DISTRIBUTED.with(|d| d.borrow()[0].3), BOB);
		// The bond stays held on Alice, who bonded it: moderation's slash reaches it there,
		// whoever holds the agent.
		assert_ok!(Agents::slash(RuntimeOrigin::root(), id, Perbill::from_percent(10)));
		assert_eq!(held(ALICE), BOND - BOND / 10);
		// Bob unregisters it; the unbonding period holds; what is left goes back to Alice,
		// and the agent's item is burned with it.
		assert_ok!(Agents::unregister(origin(BOB), id));
		assert_noop!(Agents::withdraw_bond(origin(BOB), id), Error::<Test>::StillUnbonding);
		System::set_block_number(1 + UNBONDING);
		let free = Balances::balance(&ALICE);
		assert_ok!(Agents::withdraw_bond(origin(BOB), id));
		assert_eq!(Balances::balance(&ALICE), free + BOND - BOND / 10);
		assert_eq!(TestHoldings::holder(AssetKind::Agent, id), None::<AccountId>);
	});
}

#[test]
fn the_v3_migration_mints_each_agents_item_to_its_registrant() {
	use frame_support::traits::UncheckedOnRuntimeUpgrade;
	run_test(|| {
		let id = register(ACTIVE);
		// An agent stored before agents were items: no item yet (its bond is Alice's first
		// agent's, so take it out before the invariants run).
		let a = crate::Agents::<Test>::get(id).unwrap();
		crate::Agents::<Test>::insert(id + 1, a);
		NextAgentId::<Test>::put(id + 2);
		assert_eq!(TestHoldings::holder(AssetKind::Agent, id + 1), None::<AccountId>);
		crate::migrations::v3::ItemsOfAgents::<Test>::on_runtime_upgrade();
		assert_eq!(TestHoldings::holder(AssetKind::Agent, id + 1), Some(ALICE));
		crate::Agents::<Test>::mutate(id + 1, |a| a.as_mut().unwrap().bond = 0);
	});
}
