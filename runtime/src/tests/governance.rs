//! The governance configuration: the track table is well formed at both paces, each track's
//! origin reaches exactly the calls it governs, and deposits are enforced.

use codec::Encode;
use frame_support::{
	assert_noop, assert_ok,
	dispatch::DispatchResult,
	storage::{with_transaction, TransactionOutcome},
	traits::Get,
};
use openledger_primitives::rewards::RewardSplit;
use pallet_referenda::{Curve, TracksInfo as _};
use sp_keyring::Sr25519Keyring;
use sp_runtime::{traits::Dispatchable, DispatchError, Perbill};

use crate::governance::{
	origins::{GovernancePace, Origin, Pace},
	tracks::{self, TracksInfo, ATTRIBUTION_ADMIN, ECONOMICS, MODERATOR, ROOT, TREASURER},
	SubmissionDeposit, TreasurerSpendLimit, UndecidingTimeout, VoteLockingPeriod,
};
use crate::{
	tests::state_of, Balances, OriginCaller, Referenda, Runtime, RuntimeCall, RuntimeOrigin, OPEN,
};

/// Every point of `curve`, in steps of 1% of the decision period.
fn samples(curve: &Curve) -> impl Iterator<Item = Perbill> + '_ {
	(0..=100).map(|x| curve.threshold(Perbill::from_percent(x)))
}

#[test]
fn track_table_is_well_formed_at_both_paces() {
	for pace in [Pace::Production, Pace::Fast] {
		sp_io::TestExternalities::new_empty().execute_with(|| {
			GovernancePace::<Runtime>::put(pace);
			assert_eq!(TracksInfo::check_integrity(), Ok(()), "{pace:?}: sorted by id");
			let table: Vec<_> = TracksInfo::tracks().map(|t| t.into_owned()).collect();
			let names: Vec<_> = table
				.iter()
				.map(|t| core::str::from_utf8(&t.info.name).unwrap().trim_end_matches('\0'))
				.collect();
			assert_eq!(names, ["root", "attribution_admin", "economics", "treasurer", "moderator"]);
			let ids: Vec<_> = table.iter().map(|t| t.id).collect();
			assert_eq!(ids, [ROOT, ATTRIBUTION_ADMIN, ECONOMICS, TREASURER, MODERATOR]);

			let lock = VoteLockingPeriod::get();
			for track in &table {
				let (name, info) = (names[track.id as usize], &track.info);
				assert!(info.max_deciding >= 1, "{pace:?} {name}: decides something");
				assert!(
					info.decision_deposit > SubmissionDeposit::get(),
					"{pace:?} {name}: the decision deposit is the larger one"
				);
				assert!(info.prepare_period >= 1, "{pace:?} {name}: a proposal is seen first");
				assert!(
					info.prepare_period <= UndecidingTimeout::get(),
					"{pace:?} {name}: a referendum can be decided before it times out"
				);
				assert!(
					info.confirm_period >= 1 && info.confirm_period <= info.decision_period,
					"{pace:?} {name}: confirmation fits in the decision period"
				);
				assert!(info.min_enactment_period >= 1, "{pace:?} {name}: enactment is delayed");
				assert!(
					lock >= info.min_enactment_period,
					"{pace:?} {name}: votes stay locked at least until enactment"
				);
				for (what, curve) in
					[("approval", &info.min_approval), ("support", &info.min_support)]
				{
					let points: Vec<_> = samples(curve).collect();
					assert!(
						points.windows(2).all(|w| w[0] >= w[1]),
						"{pace:?} {name}: {what} never rises"
					);
					assert!(points[100] > Perbill::zero(), "{pace:?} {name}: {what} is never free");
				}
				assert!(
					info.min_approval.threshold(Perbill::one()) >= Perbill::from_percent(50),
					"{pace:?} {name}: a minority never passes"
				);
			}
			assert_eq!(table[ROOT as usize].info.max_deciding, 1, "one root decision at a time");
		});
	}
}

#[test]
fn fast_pace_keeps_deposits_and_curves_and_shortens_periods() {
	for (p, f) in tracks::PRODUCTION.iter().zip(tracks::FAST.iter()) {
		assert_eq!(p.id, f.id);
		assert_eq!(p.info.decision_deposit, f.info.decision_deposit);
		assert_eq!(p.info.min_approval, f.info.min_approval);
		assert_eq!(p.info.min_support, f.info.min_support);
		assert!(f.info.decision_period < p.info.decision_period);
		assert!(f.info.prepare_period + f.info.decision_period <= 21, "a fast referendum is quick");
	}
}

#[test]
fn the_chain_reads_its_pace_from_genesis() {
	state_of("dev").execute_with(|| {
		assert_eq!(GovernancePace::<Runtime>::get(), Pace::Fast);
		assert_eq!(TracksInfo::info(ROOT).unwrap().decision_period, tracks::fast::DECISION);
	});
	state_of("staging").execute_with(|| {
		assert_eq!(GovernancePace::<Runtime>::get(), Pace::Production);
		assert_eq!(
			TracksInfo::info(ROOT).unwrap().decision_period,
			tracks::PRODUCTION[ROOT as usize].info.decision_period
		);
	});
}

#[test]
fn each_origin_has_its_own_track_and_others_have_none() {
	let cases = [
		(OriginCaller::system(frame_system::RawOrigin::Root), Ok(ROOT)),
		(OriginCaller::Origins(Origin::AttributionAdmin), Ok(ATTRIBUTION_ADMIN)),
		(OriginCaller::Origins(Origin::Economics), Ok(ECONOMICS)),
		(OriginCaller::Origins(Origin::Treasurer), Ok(TREASURER)),
		(OriginCaller::Origins(Origin::Moderator), Ok(MODERATOR)),
		(
			OriginCaller::system(frame_system::RawOrigin::Signed(
				Sr25519Keyring::Bob.to_account_id(),
			)),
			Err(()),
		),
		(OriginCaller::system(frame_system::RawOrigin::None), Err(())),
	];
	for (origin, track) in cases {
		assert_eq!(TracksInfo::track_for(&origin), track, "{origin:?}");
	}
}

/// Who dispatches a call in [`each_track_origin_reaches_exactly_its_calls`].
#[derive(Clone, Copy, Debug, PartialEq)]
enum Who {
	Root,
	Track(Origin),
	Signed,
}

const EVERYONE: [Who; 6] = [
	Who::Root,
	Who::Track(Origin::AttributionAdmin),
	Who::Track(Origin::Economics),
	Who::Track(Origin::Treasurer),
	Who::Track(Origin::Moderator),
	Who::Signed,
];

fn origin(who: Who) -> RuntimeOrigin {
	match who {
		Who::Root => RuntimeOrigin::root(),
		Who::Track(o) => RuntimeOrigin::from(o),
		Who::Signed => RuntimeOrigin::signed(Sr25519Keyring::Bob.to_account_id()),
	}
}

/// Dispatches `call` and rolls its effects back, so that every case starts from genesis.
fn try_dispatch(call: &RuntimeCall, who: Who) -> DispatchResult {
	with_transaction(|| {
		let result = call.clone().dispatch(origin(who)).map(|_| ()).map_err(|e| e.error);
		TransactionOutcome::Rollback(Ok::<_, DispatchError>(result))
	})
	.expect("the rollback itself succeeds")
}

/// Reads no runtime version from any code.
struct NotARuntime;

impl sp_core::traits::ReadRuntimeVersion for NotARuntime {
	fn read_runtime_version(
		&self,
		_code: &[u8],
		_ext: &mut dyn sp_core::traits::Externalities,
	) -> Result<Vec<u8>, String> {
		Err("not a runtime".into())
	}
}

#[test]
fn each_track_origin_reaches_exactly_its_calls() {
	use Origin::*;
	let alice = Sr25519Keyring::Alice.to_account_id();
	let bob = Sr25519Keyring::Bob.to_account_id();
	let admin = Who::Track(AttributionAdmin);
	let economics = Who::Track(Economics);
	let treasurer = Who::Track(Treasurer);
	let moderator = Who::Track(Moderator);
	let split = RewardSplit {
		contributors: Perbill::from_percent(60),
		model_owner: Perbill::from_percent(15),
		agent: Perbill::from_percent(10),
		attestors: Perbill::from_percent(10),
		treasury: Perbill::from_percent(5),
	};
	// Each privileged call, and who besides Root may make it.
	let calls: Vec<(RuntimeCall, Option<Who>)> = vec![
		(pallet_attribution::Call::add_attestor { attestor: bob.clone() }.into(), Some(admin)),
		(pallet_attribution::Call::remove_attestor { attestor: alice.clone() }.into(), Some(admin)),
		(
			pallet_attribution::Call::set_params {
				params: pallet_attribution::Params {
					max_strikes: 3,
					committee_size: 16,
					..Default::default()
				},
			}
			.into(),
			Some(admin),
		),
		(pallet_attribution::Call::reinstate { attestor: alice.clone() }.into(), Some(admin)),
		(pallet_rewards::Call::set_reward_split { split }.into(), Some(economics)),
		(pallet_rewards::Call::set_emission { emission: OPEN }.into(), Some(economics)),
		(
			pallet_treasury::Call::spend_local { amount: OPEN, beneficiary: bob.clone().into() }
				.into(),
			Some(treasurer),
		),
		(
			pallet_treasury::Call::spend {
				asset_kind: Box::new(()),
				amount: OPEN,
				beneficiary: Box::new(bob.clone().into()),
				valid_from: None,
			}
			.into(),
			Some(treasurer),
		),
		(pallet_treasury::Call::remove_approval { proposal_id: 0 }.into(), Some(treasurer)),
		(pallet_treasury::Call::void_spend { index: 0 }.into(), Some(treasurer)),
		(
			pallet_datanets::Call::remove { datanet: 0, record: Default::default() }.into(),
			Some(moderator),
		),
		(pallet_models::Call::force_retire { model: 0 }.into(), Some(moderator)),
		(
			pallet_agents::Call::slash { agent: 0, fraction: Perbill::from_percent(10) }.into(),
			Some(moderator),
		),
		// Root's alone: code, balances and the referenda themselves.
		(frame_system::Call::set_code { code: vec![] }.into(), None),
		(
			pallet_balances::Call::force_set_balance { who: bob.clone().into(), new_free: OPEN }
				.into(),
			None,
		),
		(pallet_referenda::Call::kill { index: 0 }.into(), None),
	];

	let mut ext = state_of("dev");
	// `set_code` reads the version of the code it is given; this code is none.
	ext.register_extension(sp_core::traits::ReadRuntimeVersionExt::new(NotARuntime));
	ext.execute_with(|| {
		frame_system::Pallet::<Runtime>::set_block_number(1);
		for (call, track) in &calls {
			let name = format!("{:?}", call);
			let name = &name[..name.len().min(60)];
			for who in EVERYONE {
				let allowed = who == Who::Root || Some(who) == *track;
				let result = try_dispatch(call, who);
				if allowed {
					assert_ne!(result, Err(DispatchError::BadOrigin), "{who:?} may call {name}");
				} else {
					assert_eq!(
						result,
						Err(DispatchError::BadOrigin),
						"{who:?} may not call {name}"
					);
				}
			}
		}
		// Calls that succeed outright do so for the track's origin.
		assert_ok!(try_dispatch(&calls[0].0, admin));
		assert_ok!(try_dispatch(&calls[4].0, economics));
		assert_ok!(try_dispatch(&calls[6].0, treasurer));
	});
}

#[test]
fn a_treasurer_spends_up_to_its_limit_and_root_beyond() {
	state_of("dev").execute_with(|| {
		frame_system::Pallet::<Runtime>::set_block_number(1);
		let bob = Sr25519Keyring::Bob.to_account_id();
		let spend = |amount| -> RuntimeCall {
			pallet_treasury::Call::spend_local { amount, beneficiary: bob.clone().into() }.into()
		};
		let limit = TreasurerSpendLimit::get();
		assert_ok!(try_dispatch(&spend(limit), Who::Track(Origin::Treasurer)));
		assert_eq!(
			try_dispatch(&spend(limit + 1), Who::Track(Origin::Treasurer)),
			Err(pallet_treasury::Error::<Runtime>::InsufficientPermission.into())
		);
		assert_ok!(try_dispatch(&spend(limit + 1), Who::Root));
	});
}

/// `who` proposes an empty remark (inline, no preimage) to be dispatched as `as_origin`.
fn submit_remark(who: sp_runtime::AccountId32, as_origin: OriginCaller) -> DispatchResult {
	let remark = RuntimeCall::from(frame_system::Call::remark { remark: vec![] });
	Referenda::submit(
		RuntimeOrigin::signed(who),
		Box::new(as_origin),
		frame_support::traits::Bounded::Inline(remark.encode().try_into().unwrap()),
		frame_support::traits::schedule::DispatchTime::After(1),
	)
}

#[test]
fn a_proposal_below_the_submission_deposit_fails_and_changes_nothing() {
	state_of("dev").execute_with(|| {
		frame_system::Pallet::<Runtime>::set_block_number(1);
		let poor: sp_runtime::AccountId32 = [7u8; 32].into();
		// Enough to exist and pay for a little, not for the deposit.
		assert_ok!(Balances::force_set_balance(
			RuntimeOrigin::root(),
			poor.clone().into(),
			SubmissionDeposit::get() - 1
		));
		let root = || OriginCaller::system(frame_system::RawOrigin::Root);
		assert_noop!(
			submit_remark(poor.clone(), root()),
			pallet_balances::Error::<Runtime>::InsufficientBalance
		);
		assert_eq!(pallet_referenda::ReferendumCount::<Runtime>::get(), 0);
		assert_eq!(Balances::free_balance(&poor), SubmissionDeposit::get() - 1);

		// With the deposit it goes through, and the deposit is reserved.
		let rich = Sr25519Keyring::Bob.to_account_id();
		assert_ok!(submit_remark(rich.clone(), root()));
		assert_eq!(pallet_referenda::ReferendumCount::<Runtime>::get(), 1);
		assert_eq!(Balances::reserved_balance(&rich), SubmissionDeposit::get());
	});
}

#[test]
fn a_proposal_without_a_track_fails_with_no_track() {
	state_of("dev").execute_with(|| {
		frame_system::Pallet::<Runtime>::set_block_number(1);
		let bob = Sr25519Keyring::Bob.to_account_id();
		assert_noop!(
			submit_remark(bob.clone(), OriginCaller::system(frame_system::RawOrigin::Signed(bob))),
			pallet_referenda::Error::<Runtime>::NoTrack
		);
	});
}

#[test]
fn sudo_is_only_where_a_preset_sets_a_key() {
	let remark: RuntimeCall = frame_system::Call::remark { remark: vec![] }.into();
	state_of("staging").execute_with(|| {
		assert_eq!(pallet_sudo::Key::<Runtime>::get(), None);
		let alice = RuntimeOrigin::signed(Sr25519Keyring::Alice.to_account_id());
		assert_noop!(
			crate::Sudo::sudo(alice, Box::new(remark.clone())),
			pallet_sudo::Error::<Runtime>::RequireSudo
		);
	});
	for preset in ["dev", "local"] {
		state_of(preset).execute_with(|| {
			assert_eq!(
				pallet_sudo::Key::<Runtime>::get(),
				Some(Sr25519Keyring::Alice.to_account_id())
			);
		});
	}
}
