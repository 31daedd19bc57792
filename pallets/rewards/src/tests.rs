use frame_support::{
	assert_noop, assert_ok,
	traits::{
		fungible::{Inspect, Mutate},
		tokens::Preservation,
		Hooks,
	},
};
use sp_runtime::{DispatchError, Perbill};

use crate::{mock::*, *};
use openledger_primitives::{models::Source, traits::TestHoldings};

fn share(record: u32, ppb: u32) -> RecordShare {
	RecordShare { record, share: Perbill::from_parts(ppb) }
}

/// Pays `fee` into the pot, as agents does, and distributes it, for model 0 on Datanet 0's ten
/// records and agent 0; their owners are the holders of their items (50 and 60 if none).
fn pay(fee: Balance, shares: &[RecordShare], attestors: &[AccountId]) {
	let sources = [Source { datanet: 0, version: 1, records: 10, weight: 1 }];
	pay_on(&sources, fee, shares, attestors)
}

/// Pays `fee` for a model on `sources`.
fn pay_on(sources: &[Source], fee: Balance, shares: &[RecordShare], attestors: &[AccountId]) {
	assert_ok!(<Balances as Mutate<_>>::transfer(
		&PAYER,
		&Rewards::account(),
		fee,
		Preservation::Preserve
	));
	<Rewards as RewardSink<_, _>>::distribute(
		fee,
		RewardParties {
			inference: 0,
			model: 0,
			model_owner: TestHoldings::holder(AssetKind::Model, 0).unwrap_or(50),
			agent: 0,
			agent_owner: TestHoldings::holder(AssetKind::Agent, 0).unwrap_or(60),
			sources,
			shares,
			attestors,
		},
	);
}

#[test]
fn a_fee_is_split_to_the_last_unit() {
	run_test(|| {
		// 1,000,003: contributors 500,001 (floor), split 2/3 to record 0 and 1/3 to record 1.
		pay(1_000_003, &[share(0, 666_666_667), share(1, 333_333_333)], &[7, 8]);
		let contributors = Perbill::from_percent(50).mul_floor(1_000_003u128);
		assert_eq!(contributors, 500_001);
		let r0 = Perbill::from_parts(666_666_667).mul_floor(contributors);
		let r1 = Perbill::from_parts(333_333_333).mul_floor(contributors);
		assert_eq!((r0, r1), (333_334, 166_666));
		assert_eq!(Claimable::<Test>::get(100), r0);
		assert_eq!(Claimable::<Test>::get(101), r1);
		assert_eq!(Claimable::<Test>::get(50), 200_000); // 20%, floor
		assert_eq!(Claimable::<Test>::get(60), 100_000); // 10%, floor
												   // 15% = 150,000 to two attestors: 75,000 each.
		assert_eq!(Claimable::<Test>::get(7), 75_000);
		assert_eq!(Claimable::<Test>::get(8), 75_000);
		// The treasury gets the rest: its 5% and every remainder.
		let treasury = 1_000_003 - r0 - r1 - 200_000 - 100_000 - 150_000;
		assert_eq!(Claimable::<Test>::get(TREASURY), treasury);
		assert_eq!(TotalClaimable::<Test>::get(), 1_000_003);
		assert_eq!(RecordEarnings::<Test>::get(0, 0), r0);
		assert_eq!(ContributorEarnings::<Test>::get(101), r1);
		System::assert_last_event(
			Event::RewardsDistributed {
				inference: 0,
				fee: 1_000_003,
				contributors: r0 + r1,
				model_owner: 200_000,
				agent: 100_000,
				attestors: 150_000,
				treasury,
			}
			.into(),
		);
	});
}

#[test]
fn a_model_on_two_datanets_pays_each_record_to_its_own_contributor() {
	run_test(|| {
		// Datanet 1's version of 4 records first (positions 0..4), then Datanet 0's of 10
		// (positions 4..14); position 14 is past both.
		let sources = [
			Source { datanet: 1, version: 2, records: 4, weight: 3 },
			Source { datanet: 0, version: 1, records: 10, weight: 1 },
		];
		let shares = [share(2, 500_000_000), share(9, 300_000_000), share(14, 200_000_000)];
		pay_on(&sources, 1_000_000, &shares, &[]);
		// Contributors get half: 250,000 for position 2, 150,000 for position 9.
		assert_eq!(RecordEarnings::<Test>::get(1, 2), 250_000);
		assert_eq!(Claimable::<Test>::get(202), 250_000);
		// Position 9 is Datanet 0's record 5 (contributor 100 + 5 % 3).
		assert_eq!(RecordEarnings::<Test>::get(0, 5), 150_000);
		assert_eq!(Claimable::<Test>::get(102), 150_000);
		// Nothing is credited by a position read as a log position of the wrong Datanet.
		assert_eq!(RecordEarnings::<Test>::get(0, 2), 0);
		assert_eq!(RecordEarnings::<Test>::get(0, 9), 0);
		// Position 14's 100,000 goes to the treasury, with the rest: owner 20% and agent 10%
		// are paid, and no attestor agreed.
		assert_eq!(Claimable::<Test>::get(TREASURY), 1_000_000 - 250_000 - 150_000 - 300_000);
	});
}

#[test]
fn unattributed_parts_go_to_the_treasury() {
	run_test(|| {
		// No shares, no agreeing attestors, and a record the Datanet does not know.
		pay(1_000, &[], &[]);
		assert_eq!(Claimable::<Test>::get(TREASURY), 1_000 - 200 - 100);
		pay(1_000, &[share(99, 1_000_000_000)], &[]);
		assert_eq!(Claimable::<Test>::get(TREASURY), 2 * (1_000 - 200 - 100));
		assert_eq!(TotalClaimable::<Test>::get(), 2_000);
	});
}

#[test]
fn shares_that_round_to_zero_write_nothing() {
	run_test(|| {
		// Of 500 units for contributors, record 0's one part per billion is 0.0000005 units.
		pay(1_000, &[share(0, 1), share(1, 999_999_999)], &[]);
		assert!(!RecordEarnings::<Test>::contains_key(0, 0));
		assert!(!ContributorEarnings::<Test>::contains_key(100));
		assert!(!EpochEarnings::<Test>::contains_key(100));
		assert!(!Claimable::<Test>::contains_key(100));
		assert_eq!(EpochEarnings::<Test>::count(), 1, "only record 1's contributor earns");
		assert_eq!(ContributorEarnings::<Test>::get(101), 499);
	});
}

#[test]
fn claims_pay_out_and_refuse_dust() {
	run_test(|| {
		pay(1_000, &[share(0, 1_000_000_000)], &[7]);
		// Contributor 100 has no account: 500 ≥ ED pays out.
		assert_ok!(Rewards::claim(RuntimeOrigin::signed(100)));
		assert_eq!(Balances::balance(&100), 500);
		System::assert_last_event(Event::Claimed { who: 100, amount: 500 }.into());
		assert_noop!(Rewards::claim(RuntimeOrigin::signed(100)), Error::<Test>::NothingToClaim);
		// A claim below ED into an empty account is refused, not attempted.
		pay(10, &[share(1, 1_000_000_000)], &[]);
		assert_eq!(Claimable::<Test>::get(101), 5);
		assert_noop!(
			Rewards::claim(RuntimeOrigin::signed(101)),
			Error::<Test>::BelowExistentialDeposit
		);
		// Anyone may pay the treasury its part.
		let before = Balances::balance(&TREASURY);
		let due = Claimable::<Test>::get(TREASURY);
		assert_ok!(Rewards::claim_for(RuntimeOrigin::signed(PAYER), TREASURY));
		assert_eq!(Balances::balance(&TREASURY), before + due);
		// The pot keeps its existential deposit and what is still claimable.
		assert_eq!(Balances::balance(&Rewards::account()), ED + TotalClaimable::<Test>::get());
	});
}

#[test]
fn the_split_is_set_by_economics_and_must_be_whole() {
	run_test(|| {
		let split = RewardSplit {
			contributors: Perbill::from_percent(60),
			model_owner: Perbill::from_percent(10),
			agent: Perbill::from_percent(10),
			attestors: Perbill::from_percent(15),
			treasury: Perbill::from_percent(5),
		};
		assert_noop!(
			Rewards::set_reward_split(RuntimeOrigin::signed(PAYER), split),
			DispatchError::BadOrigin
		);
		let broken = RewardSplit { treasury: Perbill::from_percent(6), ..split };
		assert_noop!(
			Rewards::set_reward_split(RuntimeOrigin::root(), broken),
			Error::<Test>::SplitNotWhole
		);
		assert_ok!(Rewards::set_reward_split(RuntimeOrigin::root(), split));
		assert_eq!(Split::<Test>::get(), split);
		pay(100, &[share(2, 1_000_000_000)], &[]);
		assert_eq!(Claimable::<Test>::get(102), 60);
	});
}

#[test]
fn the_emission_follows_the_epochs_attribution_and_is_all_the_issuance_moves() {
	run_test(|| {
		let issuance = Balances::total_issuance();
		// No emission by default: an epoch boundary mints nothing.
		pay(1_000, &[share(0, 1_000_000_000)], &[]);
		Rewards::on_initialize(EPOCH);
		assert_eq!(Balances::total_issuance(), issuance);
		assert_eq!(EpochEarnings::<Test>::count(), 0);

		assert_ok!(Rewards::set_emission(RuntimeOrigin::root(), 3_000));
		// Contributors 100 (record 0) and 101 (record 1) earn 3:1 in this epoch; 102 comes
		// third and is over the MaxEpochEarners of 2.
		pay(1_000, &[share(0, 750_000_000), share(1, 250_000_000)], &[]);
		pay(1_000, &[share(2, 1_000_000_000)], &[]);
		let before = (Claimable::<Test>::get(100), Claimable::<Test>::get(101));
		Rewards::on_initialize(2 * EPOCH);
		assert_eq!(Claimable::<Test>::get(100) - before.0, 2_250);
		assert_eq!(Claimable::<Test>::get(101) - before.1, 750);
		assert_eq!(Balances::total_issuance(), issuance + 3_000);
		System::assert_last_event(Event::EmissionDistributed { minted: 3_000, earners: 2 }.into());
		// Between boundaries nothing happens.
		Rewards::on_initialize(2 * EPOCH + 1);
		assert_eq!(Balances::total_issuance(), issuance + 3_000);
	});
}

#[test]
fn a_payee_is_paid_what_the_contributors_records_earn_from_then_on() {
	run_test(|| {
		// Contributor 100 (record 0) earns 500 before naming a payee.
		pay(1_000, &[share(0, 1_000_000_000)], &[]);
		assert_eq!(Claimable::<Test>::get(100), 500);
		assert_ok!(Rewards::set_payee(RuntimeOrigin::signed(100), Some(200)));
		System::assert_last_event(Event::PayeeSet { contributor: 100, payee: Some(200) }.into());
		// The next fee that credits record 0 pays 200; 100 keeps what had accrued, and its
		// records' totals still count both.
		pay(1_000, &[share(0, 1_000_000_000)], &[]);
		assert_eq!(Claimable::<Test>::get(200), 500);
		assert_eq!(Claimable::<Test>::get(100), 500);
		assert_eq!(ContributorEarnings::<Test>::get(100), 1_000);
		assert_eq!(ContributorEarnings::<Test>::get(200), 0);
		assert_eq!(RecordEarnings::<Test>::get(0, 0), 1_000);
		// 100 may still claim its own.
		assert_ok!(Rewards::claim(RuntimeOrigin::signed(100)));
		assert_eq!(Balances::balance(&100), 500);
		// Naming itself, or no one, pays the contributor again.
		assert_ok!(Rewards::set_payee(RuntimeOrigin::signed(100), Some(100)));
		assert_eq!(Payees::<Test>::get(100), None);
		System::assert_last_event(Event::PayeeSet { contributor: 100, payee: None }.into());
		pay(1_000, &[share(0, 1_000_000_000)], &[]);
		assert_eq!(Claimable::<Test>::get(100), 500);
		assert_eq!(Claimable::<Test>::get(200), 500);
	});
}

#[test]
fn a_payee_is_one_hop_and_pays_only_records_earnings() {
	run_test(|| {
		// 100 pays 101, and 101 pays 102: record 0 (100's) pays 101, not 102.
		assert_ok!(Rewards::set_payee(RuntimeOrigin::signed(100), Some(101)));
		assert_ok!(Rewards::set_payee(RuntimeOrigin::signed(101), Some(102)));
		// The model owner (50) names a payee too: its owner's part is not a record's.
		assert_ok!(Rewards::set_payee(RuntimeOrigin::signed(50), Some(103)));
		pay(1_000, &[share(0, 500_000_000), share(1, 500_000_000)], &[]);
		assert_eq!(Claimable::<Test>::get(101), 250);
		assert_eq!(Claimable::<Test>::get(102), 250);
		assert_eq!(Claimable::<Test>::get(100), 0);
		assert_eq!(Claimable::<Test>::get(50), 200);
		assert_eq!(Claimable::<Test>::get(103), 0);
	});
}

#[test]
fn an_epochs_emission_goes_to_the_payee_named_when_it_ends() {
	run_test(|| {
		assert_ok!(Rewards::set_emission(RuntimeOrigin::root(), 3_000));
		pay(1_000, &[share(0, 1_000_000_000)], &[]);
		assert_ok!(Rewards::set_payee(RuntimeOrigin::signed(100), Some(200)));
		let before = Claimable::<Test>::get(100);
		Rewards::on_initialize(EPOCH);
		assert_eq!(Claimable::<Test>::get(200), 3_000);
		assert_eq!(Claimable::<Test>::get(100), before);
		assert_eq!(ContributorEarnings::<Test>::get(100), 500 + 3_000);
	});
}

#[test]
fn a_claimable_balance_moves_whole_and_only_by_its_holder() {
	run_test(|| {
		pay(1_000, &[share(0, 1_000_000_000)], &[]);
		let total = TotalClaimable::<Test>::get();
		assert_noop!(
			Rewards::move_claimable(RuntimeOrigin::signed(100), 100),
			Error::<Test>::MoveToSelf
		);
		assert_noop!(
			Rewards::move_claimable(RuntimeOrigin::signed(300), 100),
			Error::<Test>::NothingToClaim
		);
		assert_ok!(Rewards::move_claimable(RuntimeOrigin::signed(100), 200));
		System::assert_last_event(Event::ClaimableMoved { from: 100, to: 200, amount: 500 }.into());
		assert_eq!(Claimable::<Test>::get(100), 0);
		assert_eq!(Claimable::<Test>::get(200), 500);
		assert_eq!(TotalClaimable::<Test>::get(), total);
		assert_noop!(Rewards::claim(RuntimeOrigin::signed(100)), Error::<Test>::NothingToClaim);
		assert_ok!(Rewards::claim(RuntimeOrigin::signed(200)));
		assert_eq!(Balances::balance(&200), 500);
	});
}

/// The parts of a revenue split.
fn parts(p: &[(AccountId, u32)]) -> RevenuePartsOf<Test> {
	p.to_vec().try_into().unwrap()
}

/// Model 0's item is held by 50, agent 0's by 60.
fn mint_assets() {
	assert_ok!(TestHoldings::mint(AssetKind::Model, 0, &50u64));
	assert_ok!(TestHoldings::mint(AssetKind::Agent, 0, &60u64));
}

#[test]
fn an_owner_share_is_split_in_fixed_parts_and_settled_to_the_last_unit() {
	run_test(|| {
		mint_assets();
		assert_ok!(Rewards::set_revenue_shares(
			RuntimeOrigin::signed(50),
			AssetKind::Model,
			0,
			parts(&[(50, 1), (51, 2)])
		));
		System::assert_last_event(
			Event::RevenueSharesSet {
				kind: AssetKind::Model,
				id: 0,
				holder: 50,
				parts: vec![(50, 1), (51, 2)],
			}
			.into(),
		);
		// 20% of 1,000,003 is 200,000: it accrues to the model's revenue, not to 50.
		pay(1_000_003, &[share(0, 1_000_000_000)], &[]);
		assert_eq!(Revenue::<Test>::get(AssetKind::Model, 0), 200_000);
		assert_eq!(Claimable::<Test>::get(50), 0);
		// The agent's share has no split: its holder is paid directly.
		assert_eq!(Claimable::<Test>::get(60), 100_000);
		pay(2, &[], &[]);
		// 200,000 + 20% of 2 (0): anyone settles it; 51 gets 2/3 rounded down, 50 the rest.
		assert_ok!(Rewards::settle_revenue(RuntimeOrigin::signed(7), AssetKind::Model, 0));
		System::assert_last_event(
			Event::RevenueSettled { kind: AssetKind::Model, id: 0, amount: 200_000 }.into(),
		);
		assert_eq!(Claimable::<Test>::get(51), 133_333);
		assert_eq!(Claimable::<Test>::get(50), 66_667);
		assert_eq!(Revenue::<Test>::get(AssetKind::Model, 0), 0);
		assert_noop!(
			Rewards::settle_revenue(RuntimeOrigin::signed(7), AssetKind::Model, 0),
			Error::<Test>::NothingToSettle
		);
		assert_eq!(Rewards::owner_payees(AssetKind::Model, 0, &50), vec![50, 51]);
		assert_eq!(Rewards::owner_payees(AssetKind::Agent, 0, &60), vec![60]);
	});
}

#[test]
fn only_the_holder_splits_and_only_into_distinct_parts_above_zero() {
	run_test(|| {
		mint_assets();
		let set = |who, kind, p: &[(AccountId, u32)]| {
			Rewards::set_revenue_shares(RuntimeOrigin::signed(who), kind, 0, parts(p))
		};
		assert_noop!(set(51, AssetKind::Model, &[(51, 1)]), Error::<Test>::NotHolder);
		assert_noop!(set(50, AssetKind::Agent, &[(50, 1)]), Error::<Test>::NotHolder);
		assert_noop!(
			Rewards::set_revenue_shares(RuntimeOrigin::signed(50), AssetKind::Model, 9, parts(&[])),
			Error::<Test>::NotHolder
		);
		assert_ok!(TestHoldings::mint(AssetKind::Datanet, 0, &50u64));
		assert_noop!(set(50, AssetKind::Datanet, &[(51, 1)]), Error::<Test>::NoOwnerShare);
		assert_noop!(set(50, AssetKind::Model, &[(51, 1), (52, 0)]), Error::<Test>::ZeroPart);
		assert_noop!(
			set(50, AssetKind::Model, &[(51, 1), (52, 1), (51, 3)]),
			Error::<Test>::DuplicateShareholder
		);
		// No parts clear a split: the holder is paid the whole share again.
		assert_ok!(set(60, AssetKind::Agent, &[(61, 1)]));
		assert_ok!(set(60, AssetKind::Agent, &[]));
		assert_eq!(RevenueSharesOf::<Test>::get(AssetKind::Agent, 0), None);
		pay(1_000, &[], &[]);
		assert_eq!(Claimable::<Test>::get(60), 100);
	});
}

#[test]
fn changing_a_split_settles_what_the_old_one_earned_first() {
	run_test(|| {
		mint_assets();
		let set = |p: &[(AccountId, u32)]| {
			Rewards::set_revenue_shares(RuntimeOrigin::signed(50), AssetKind::Model, 0, parts(p))
		};
		assert_ok!(set(&[(51, 1)]));
		pay(1_000, &[], &[]);
		assert_ok!(set(&[(52, 1)]));
		assert_eq!(Claimable::<Test>::get(51), 200);
		pay(1_000, &[], &[]);
		assert_ok!(set(&[]));
		assert_eq!(Claimable::<Test>::get(52), 200);
		assert_eq!(Revenue::<Test>::get(AssetKind::Model, 0), 0);
	});
}

/// The seller's attack: Bob splits his model's share to himself (or a partner) and then sells
/// it. The split must not follow the item: the buyer is paid the whole share from the sale on,
/// and what the split earned before the sale still goes to the seller's parts.
#[test]
fn a_sale_ends_the_split_and_the_buyer_is_paid_the_whole_share() {
	run_test(|| {
		mint_assets();
		assert_ok!(Rewards::set_revenue_shares(
			RuntimeOrigin::signed(50),
			AssetKind::Model,
			0,
			parts(&[(52, 1)])
		));
		pay(1_000, &[], &[]);
		TestHoldings::transfer(AssetKind::Model, 0, &70u64);
		pay(1_000, &[], &[]);
		assert_eq!(Claimable::<Test>::get(70), 200);
		assert_eq!(Revenue::<Test>::get(AssetKind::Model, 0), 200);
		assert_eq!(Rewards::owner_payees(AssetKind::Model, 0, &70), vec![70]);
		let info = Rewards::revenue_shares(AssetKind::Model, 0).unwrap();
		assert!(!info.in_force);
		assert_eq!((info.shares.holder, info.pending), (50, 200));
		// The old holder can no longer change it; the new holder's own split replaces it,
		// after settling the old one's revenue to its parts.
		assert_noop!(
			Rewards::set_revenue_shares(
				RuntimeOrigin::signed(50),
				AssetKind::Model,
				0,
				parts(&[(50, 1)])
			),
			Error::<Test>::NotHolder
		);
		assert_ok!(Rewards::set_revenue_shares(
			RuntimeOrigin::signed(70),
			AssetKind::Model,
			0,
			parts(&[(70, 1), (71, 1)])
		));
		assert_eq!(Claimable::<Test>::get(52), 200);
		assert!(Rewards::revenue_shares(AssetKind::Model, 0).unwrap().in_force);
		// Sold back to 50: 70's split is not 50's, so 50 is paid the whole share.
		TestHoldings::transfer(AssetKind::Model, 0, &50u64);
		pay(1_000, &[], &[]);
		assert_eq!(Claimable::<Test>::get(50), 200);
		assert_eq!(Revenue::<Test>::get(AssetKind::Model, 0), 0);
	});
}
