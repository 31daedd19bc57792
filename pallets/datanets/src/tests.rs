//! Unit tests: every call's success path and every named error. `run_test` checks the storage
//! invariants (deposits = held balances, counters = storage) after each test.

use frame_support::{
	assert_noop, assert_ok,
	traits::fungible::{Inspect, InspectHold},
};
use sp_core::H256;
use sp_runtime::{DispatchError, TokenError};

use crate::mock::Datanets;
use crate::{mock::*, *};
use frame_support::BoundedVec;
use openledger_primitives::traits::TestHoldings;

const DIGITS: Schema = Schema::Dense { dims: 4, classes: 10, max_value: 16 };

fn origin(who: AccountId) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

fn held(reason: HoldReason, who: AccountId) -> Balance {
	Balances::balance_on_hold(&reason.into(), &who)
}

/// Alice creates a Datanet with `policy`; returns its id.
fn create(policy: CurationPolicy) -> DatanetId {
	let id = NextDatanetId::<Test>::get();
	assert_ok!(Datanets::create(
		origin(ALICE),
		b"digits".to_vec(),
		b"8x8".to_vec(),
		b"CC-BY-4.0".to_vec(),
		DIGITS,
		policy
	));
	id
}

fn contribute(who: AccountId, datanet: DatanetId, payload: &[u8], label: u16) -> RecordHash {
	assert_ok!(Datanets::contribute(origin(who), datanet, payload.to_vec(), label));
	record_hash(payload, label)
}

#[test]
fn create_holds_the_deposit_and_stores_the_datanet() {
	run_test(|| {
		let id = create(CurationPolicy::Curated);
		let deposit = DATANET_DEPOSIT + (6 + 3 + 9) * DEPOSIT_PER_BYTE;
		System::assert_last_event(
			Event::DatanetCreated { datanet: id, owner: ALICE, deposit }.into(),
		);
		let net = crate::Datanets::<Test>::get(id).unwrap();
		assert_eq!(net.owner, ALICE);
		assert_eq!(net.schema, DIGITS);
		assert_eq!(net.deposit, deposit);
		assert_eq!((net.accepted, net.pending, net.versions, net.root), (0, 0, 0, H256::zero()));
		assert_eq!(held(HoldReason::DatanetDeposit, ALICE), deposit);
		assert_eq!(NextDatanetId::<Test>::get(), id + 1);
	});
}

#[test]
fn create_rejects_bad_input() {
	run_test(|| {
		let long = vec![b'x'; 17];
		let ok = || b"x".to_vec();
		let text = Schema::Text { classes: 2 };
		let o = CurationPolicy::Open;
		assert_noop!(
			Datanets::create(origin(ALICE), long.clone(), ok(), ok(), text, o),
			Error::<Test>::NameTooLong
		);
		assert_noop!(
			Datanets::create(origin(ALICE), ok(), vec![0; 65], ok(), text, o),
			Error::<Test>::DescriptionTooLong
		);
		assert_noop!(
			Datanets::create(origin(ALICE), ok(), ok(), long, text, o),
			Error::<Test>::LicenseTooLong
		);
		for bad in [
			Schema::Text { classes: 1 },
			Schema::Text { classes: 101 },
			Schema::Dense { dims: 0, classes: 2, max_value: 1 },
			Schema::Dense { dims: 65, classes: 2, max_value: 1 },
		] {
			assert_noop!(
				Datanets::create(origin(ALICE), ok(), ok(), ok(), bad, o),
				Error::<Test>::InvalidSchema
			);
		}
		assert_noop!(
			Datanets::create(origin(POOR), ok(), ok(), ok(), text, o),
			DispatchError::Token(TokenError::FundsUnavailable)
		);
	});
}

#[test]
fn curators_are_managed_by_the_owner() {
	run_test(|| {
		let id = create(CurationPolicy::Curated);
		assert_ok!(Datanets::add_curator(origin(ALICE), id, BOB));
		System::assert_last_event(Event::CuratorAdded { datanet: id, curator: BOB }.into());
		assert!(Curators::<Test>::contains_key(id, BOB));
		assert_eq!(crate::Datanets::<Test>::get(id).unwrap().curators, 1);

		assert_noop!(Datanets::add_curator(origin(BOB), id, CHARLIE), Error::<Test>::NotOwner);
		assert_noop!(Datanets::add_curator(origin(ALICE), id, BOB), Error::<Test>::AlreadyCurator);
		assert_noop!(
			Datanets::add_curator(origin(ALICE), id, ALICE),
			Error::<Test>::AlreadyCurator
		);
		assert_noop!(Datanets::add_curator(origin(ALICE), 7, BOB), Error::<Test>::UnknownDatanet);
		assert_ok!(Datanets::add_curator(origin(ALICE), id, CHARLIE));
		assert_noop!(
			Datanets::add_curator(origin(ALICE), id, DAVE),
			Error::<Test>::TooManyCurators
		);

		assert_ok!(Datanets::remove_curator(origin(ALICE), id, BOB));
		System::assert_last_event(Event::CuratorRemoved { datanet: id, curator: BOB }.into());
		assert!(!Curators::<Test>::contains_key(id, BOB));
		assert_noop!(
			Datanets::remove_curator(origin(ALICE), id, BOB),
			Error::<Test>::UnknownCurator
		);
		assert_noop!(
			Datanets::remove_curator(origin(CHARLIE), id, CHARLIE),
			Error::<Test>::NotOwner
		);
		assert_noop!(
			Datanets::remove_curator(origin(ALICE), 7, CHARLIE),
			Error::<Test>::UnknownDatanet
		);
	});
}

#[test]
fn open_contributions_are_accepted_at_once() {
	run_test(|| {
		let id = create(CurationPolicy::Open);
		let hash = contribute(BOB, id, &[1, 2, 3, 4], 7);
		let deposit = RECORD_DEPOSIT_BASE + 4 * DEPOSIT_PER_BYTE;
		System::assert_has_event(
			Event::RecordContributed { datanet: id, record: hash, contributor: BOB, deposit }
				.into(),
		);
		System::assert_last_event(
			Event::RecordAccepted { datanet: id, record: hash, index: 0 }.into(),
		);
		let rec = Records::<Test>::get(id, hash).unwrap();
		assert_eq!(rec.status, RecordStatus::Accepted { index: 0 });
		assert_eq!(rec.label, 7);
		assert_eq!(Payloads::<Test>::get(id, hash).unwrap().into_inner(), vec![1, 2, 3, 4]);
		assert_eq!(held(HoldReason::RecordDeposit, BOB), deposit);
		let net = crate::Datanets::<Test>::get(id).unwrap();
		assert_eq!(net.accepted, 1);
		assert_eq!(net.root, chain_root(&H256::zero(), &hash));
	});
}

#[test]
fn a_contribution_batch_adds_every_record_in_order_or_none() {
	run_test(|| {
		let id = create(CurationPolicy::Open);
		let batch = |records: Vec<(Vec<u8>, u16)>| {
			Datanets::contribute_batch(origin(BOB), id, BoundedVec::truncate_from(records))
		};
		let records = vec![(vec![1, 2, 3, 4], 7), (vec![4, 3, 2, 1], 1), (vec![1, 2, 3, 4], 8)];
		assert_ok!(batch(records.clone()));
		let hashes: Vec<_> = records.iter().map(|(p, l)| record_hash(p, *l)).collect();
		for (index, hash) in hashes.iter().enumerate() {
			let rec = Records::<Test>::get(id, hash).unwrap();
			assert_eq!(rec.status, RecordStatus::Accepted { index: index as u32 });
			assert_eq!(rec.contributor, BOB);
			System::assert_has_event(
				Event::RecordAccepted { datanet: id, record: *hash, index: index as u32 }.into(),
			);
		}
		let net = crate::Datanets::<Test>::get(id).unwrap();
		assert_eq!(net.accepted, 3);
		let root = hashes.iter().fold(H256::zero(), |root, h| chain_root(&root, h));
		assert_eq!(net.root, root, "the same log as three single contributions");
		assert_eq!(
			held(HoldReason::RecordDeposit, BOB),
			3 * (RECORD_DEPOSIT_BASE + 4 * DEPOSIT_PER_BYTE)
		);

		// One bad record fails the batch with its error, and nothing of it stays.
		assert_noop!(
			batch(vec![(vec![5; 4], 0), (vec![1, 2, 3, 17], 0)]),
			Error::<Test>::InvalidRecord(RecordError::ValueOutOfRange)
		);
		assert_noop!(batch(vec![(vec![6; 4], 0), (vec![6; 4], 0)]), Error::<Test>::DuplicateRecord,);
		assert_noop!(batch(vec![]), Error::<Test>::EmptyBatch);
		assert_noop!(
			Datanets::contribute_batch(
				origin(BOB),
				9,
				BoundedVec::truncate_from(vec![(vec![1; 4], 0)])
			),
			Error::<Test>::UnknownDatanet
		);
		// Its weight grows with the records and with the longest payload.
		let weight = |records: Vec<(Vec<u8>, u16)>| {
			use frame_support::dispatch::GetDispatchInfo;
			crate::Call::<Test>::contribute_batch {
				datanet: id,
				records: BoundedVec::truncate_from(records),
			}
			.get_dispatch_info()
			.call_weight
		};
		let one = weight(vec![(vec![1; 4], 0)]).ref_time();
		assert!(weight(vec![(vec![1; 4], 0); 2]).ref_time() > one);
		assert!(
			weight(vec![(vec![1; 4], 0), (vec![1; 8], 0)]).ref_time()
				> weight(vec![(vec![1; 4], 0); 2]).ref_time()
		);
	});
}

#[test]
fn contributions_must_fit_the_schema() {
	run_test(|| {
		let id = create(CurationPolicy::Open);
		let c = |payload: Vec<u8>, label| Datanets::contribute(origin(BOB), id, payload, label);
		assert_noop!(c(vec![], 0), Error::<Test>::InvalidRecord(RecordError::EmptyPayload));
		assert_noop!(c(vec![1; 3], 0), Error::<Test>::InvalidRecord(RecordError::WrongDimensions));
		assert_noop!(c(vec![1; 5], 0), Error::<Test>::InvalidRecord(RecordError::WrongDimensions));
		assert_noop!(
			c(vec![1, 2, 3, 17], 0),
			Error::<Test>::InvalidRecord(RecordError::ValueOutOfRange)
		);
		assert_noop!(c(vec![1; 4], 10), Error::<Test>::InvalidRecord(RecordError::LabelOutOfRange));
		assert_noop!(
			c(vec![1; MAX_PAYLOAD as usize + 1], 0),
			Error::<Test>::InvalidRecord(RecordError::PayloadTooLong)
		);
		assert_noop!(
			Datanets::contribute(origin(BOB), 9, vec![1; 4], 0),
			Error::<Test>::UnknownDatanet
		);
		assert_noop!(
			Datanets::contribute(origin(POOR), id, vec![1; 4], 0),
			DispatchError::Token(TokenError::FundsUnavailable)
		);

		contribute(BOB, id, &[1; 4], 0);
		// The same content is a duplicate, whoever sends it; another label is another record.
		assert_noop!(c(vec![1; 4], 0), Error::<Test>::DuplicateRecord);
		assert_noop!(
			Datanets::contribute(origin(CHARLIE), id, vec![1; 4], 0),
			Error::<Test>::DuplicateRecord
		);
		contribute(CHARLIE, id, &[1; 4], 1);
	});
}

#[test]
fn text_contributions_must_be_utf8() {
	run_test(|| {
		assert_ok!(Datanets::create(
			origin(ALICE),
			b"t".to_vec(),
			vec![],
			vec![],
			Schema::Text { classes: 2 },
			CurationPolicy::Open
		));
		assert_noop!(
			Datanets::contribute(origin(BOB), 0, vec![0xff, 0xfe], 0),
			Error::<Test>::InvalidRecord(RecordError::InvalidUtf8)
		);
		contribute(BOB, 0, "données".as_bytes(), 1);
	});
}

#[test]
fn curated_contributions_wait_for_review() {
	run_test(|| {
		let id = create(CurationPolicy::Curated);
		assert_ok!(Datanets::add_curator(origin(ALICE), id, CHARLIE));
		let a = contribute(BOB, id, &[1; 4], 1);
		let b = contribute(BOB, id, &[2; 4], 2);
		assert_eq!(Records::<Test>::get(id, a).unwrap().status, RecordStatus::Pending);
		assert_eq!(crate::Datanets::<Test>::get(id).unwrap().pending, 2);
		let deposit = RECORD_DEPOSIT_BASE + 4 * DEPOSIT_PER_BYTE;
		assert_eq!(held(HoldReason::RecordDeposit, BOB), 2 * deposit);

		assert_noop!(Datanets::review(origin(DAVE), id, a, true), Error::<Test>::NotCurator);
		assert_noop!(
			Datanets::review(origin(CHARLIE), id, H256::repeat_byte(9), true),
			Error::<Test>::UnknownRecord
		);
		assert_noop!(Datanets::review(origin(CHARLIE), 5, a, true), Error::<Test>::UnknownDatanet);

		// A curator accepts one; the owner rejects the other, which releases its deposit.
		assert_ok!(Datanets::review(origin(CHARLIE), id, a, true));
		System::assert_last_event(
			Event::RecordAccepted { datanet: id, record: a, index: 0 }.into(),
		);
		assert_eq!(
			Records::<Test>::get(id, a).unwrap().status,
			RecordStatus::Accepted { index: 0 }
		);
		assert_noop!(Datanets::review(origin(CHARLIE), id, a, false), Error::<Test>::NotPending);

		let free_before = Balances::balance(&BOB);
		assert_ok!(Datanets::review(origin(ALICE), id, b, false));
		System::assert_last_event(Event::RecordRejected { datanet: id, record: b }.into());
		assert!(Records::<Test>::get(id, b).is_none());
		assert!(Payloads::<Test>::get(id, b).is_none());
		assert_eq!(Balances::balance(&BOB), free_before + deposit);
		assert_eq!(held(HoldReason::RecordDeposit, BOB), deposit);
		let net = crate::Datanets::<Test>::get(id).unwrap();
		assert_eq!((net.pending, net.accepted), (0, 1));
		// A rejected record may be contributed again.
		contribute(BOB, id, &[2; 4], 2);
	});
}

#[test]
fn contributors_withdraw_pending_records() {
	run_test(|| {
		let id = create(CurationPolicy::Curated);
		let a = contribute(BOB, id, &[1; 4], 1);
		assert_noop!(Datanets::withdraw(origin(CHARLIE), id, a), Error::<Test>::NotContributor);
		assert_noop!(
			Datanets::withdraw(origin(BOB), id, H256::zero()),
			Error::<Test>::UnknownRecord
		);
		assert_ok!(Datanets::withdraw(origin(BOB), id, a));
		System::assert_last_event(Event::RecordWithdrawn { datanet: id, record: a }.into());
		assert!(Records::<Test>::get(id, a).is_none());
		assert_eq!(held(HoldReason::RecordDeposit, BOB), 0);
		assert_eq!(crate::Datanets::<Test>::get(id).unwrap().pending, 0);

		let b = contribute(BOB, id, &[2; 4], 1);
		assert_ok!(Datanets::review(origin(ALICE), id, b, true));
		assert_noop!(Datanets::withdraw(origin(BOB), id, b), Error::<Test>::NotPending);
	});
}

#[test]
fn moderation_removes_payloads_and_slashes_deposits() {
	run_test(|| {
		let id = create(CurationPolicy::Curated);
		let accepted = contribute(BOB, id, &[1; 4], 1);
		let pending = contribute(CHARLIE, id, &[2; 4], 1);
		assert_ok!(Datanets::review(origin(ALICE), id, accepted, true));
		assert_ok!(Datanets::publish_version(origin(ALICE), id, 1));
		let deposit = RECORD_DEPOSIT_BASE + 4 * DEPOSIT_PER_BYTE;
		let treasury = Balances::balance(&TREASURY);

		assert_noop!(Datanets::remove(origin(ALICE), id, accepted), DispatchError::BadOrigin);
		assert_noop!(
			Datanets::remove(RuntimeOrigin::root(), id, H256::zero()),
			Error::<Test>::UnknownRecord
		);

		assert_ok!(Datanets::remove(RuntimeOrigin::root(), id, accepted));
		System::assert_last_event(
			Event::RecordRemoved { datanet: id, record: accepted, slashed: deposit }.into(),
		);
		let rec = Records::<Test>::get(id, accepted).unwrap();
		assert_eq!(rec.status, RecordStatus::Removed { index: 0, at: 1 });
		assert_eq!(rec.deposit, 0);
		assert!(Payloads::<Test>::get(id, accepted).is_none());
		assert_eq!(held(HoldReason::RecordDeposit, BOB), 0);
		assert_eq!(Balances::balance(&TREASURY), treasury + deposit);
		// Still counted in its version and the log.
		let net = crate::Datanets::<Test>::get(id).unwrap();
		assert_eq!(net.accepted, 1);
		assert_eq!(Versions::<Test>::get(id, 1).unwrap().count, 1);
		let page = Datanets::version_records(id, 1, 0, 10);
		assert_eq!(page.len(), 1);
		assert_eq!(page[0].payload, None);
		assert_noop!(
			Datanets::remove(RuntimeOrigin::root(), id, accepted),
			Error::<Test>::AlreadyRemoved
		);

		assert_ok!(Datanets::remove(RuntimeOrigin::root(), id, pending));
		assert!(Records::<Test>::get(id, pending).is_none());
		assert_eq!(crate::Datanets::<Test>::get(id).unwrap().pending, 0);
		assert_eq!(Balances::balance(&TREASURY), treasury + 2 * deposit);
	});
}

#[test]
fn versions_freeze_a_prefix_of_the_log() {
	run_test(|| {
		let id = create(CurationPolicy::Open);
		let hashes: Vec<_> = (0..5u8).map(|i| contribute(BOB, id, &[i; 4], 0)).collect();
		let root_at = |n: usize| hashes[..n].iter().fold(H256::zero(), |r, h| chain_root(&r, h));

		assert_noop!(Datanets::publish_version(origin(BOB), id, 3), Error::<Test>::NotOwner);
		assert_noop!(Datanets::publish_version(origin(ALICE), 4, 3), Error::<Test>::UnknownDatanet);
		assert_noop!(
			Datanets::publish_version(origin(ALICE), id, 0),
			Error::<Test>::InvalidVersionCount
		);
		assert_noop!(
			Datanets::publish_version(origin(ALICE), id, 6),
			Error::<Test>::InvalidVersionCount
		);

		System::set_block_number(7);
		assert_ok!(Datanets::publish_version(origin(ALICE), id, 3));
		System::assert_last_event(
			Event::VersionPublished { datanet: id, version: 1, count: 3, root: root_at(3) }.into(),
		);
		assert_eq!(
			Versions::<Test>::get(id, 1),
			Some(VersionInfo { count: 3, root: root_at(3), block: 7 })
		);
		assert_noop!(
			Datanets::publish_version(origin(ALICE), id, 3),
			Error::<Test>::InvalidVersionCount
		);
		assert_noop!(
			Datanets::publish_version(origin(ALICE), id, 2),
			Error::<Test>::InvalidVersionCount
		);
		assert_ok!(Datanets::publish_version(origin(ALICE), id, 5));
		assert_eq!(
			Versions::<Test>::get(id, 2).unwrap().root,
			crate::Datanets::<Test>::get(id).unwrap().root
		);

		// Pages follow the log, stay within the version and within MaxPageSize (4).
		let page = Datanets::version_records(id, 1, 0, 100);
		assert_eq!(page.iter().map(|r| r.record).collect::<Vec<_>>(), hashes[..3].to_vec());
		assert_eq!(Datanets::version_records(id, 2, 0, 100).len(), 4);
		assert_eq!(Datanets::version_records(id, 2, 4, 100).len(), 1);
		assert_eq!(Datanets::version_records(id, 2, 2, 1)[0].record, hashes[2]);
		assert!(Datanets::version_records(id, 3, 0, 100).is_empty());
	});
}

#[test]
fn inspect_trait_reads_schema_versions_and_contributors() {
	use openledger_primitives::traits::DatanetInspect;
	run_test(|| {
		let id = create(CurationPolicy::Open);
		let hash = contribute(CHARLIE, id, &[3; 4], 3);
		assert_ok!(Datanets::publish_version(origin(ALICE), id, 1));
		assert_eq!(<Datanets as DatanetInspect<_, _>>::schema(id), Some(DIGITS));
		assert_eq!(<Datanets as DatanetInspect<_, _>>::version(id, 1).map(|v| v.count), Some(1));
		assert_eq!(<Datanets as DatanetInspect<_, _>>::contributor(id, &hash), Some(CHARLIE));
		assert_eq!(<Datanets as DatanetInspect<_, _>>::schema(9), None);
		let info = Datanets::datanet_info(id).unwrap();
		assert_eq!(info.name, b"digits".to_vec());
		assert_eq!(Datanets::record_info(id, hash).unwrap().payload, Some(vec![3; 4]));
	});
}

#[test]
fn invariants_catch_a_broken_counter() {
	new_test_ext().execute_with(|| {
		let id = create(CurationPolicy::Curated);
		contribute(BOB, id, &[1; 4], 1);
		assert_ok!(Datanets::do_try_state());
		crate::Datanets::<Test>::mutate(id, |net| net.as_mut().unwrap().pending = 0);
		assert!(Datanets::do_try_state().is_err());
	});
}

#[test]
fn invariants_catch_a_record_whose_datanet_is_gone() {
	new_test_ext().execute_with(|| {
		let id = create(CurationPolicy::Open);
		let hash = contribute(BOB, id, &[1; 4], 1);
		assert_ok!(Datanets::do_try_state());
		// A copy of the record, with its payload, under a Datanet that does not exist.
		let (record, payload) =
			(Records::<Test>::get(id, hash).unwrap(), Payloads::<Test>::get(id, hash).unwrap());
		Records::<Test>::insert(id + 1, hash, record);
		Payloads::<Test>::insert(id + 1, hash, payload);
		assert_eq!(
			Datanets::do_try_state(),
			Err("a record or a payload names a Datanet that does not exist".into())
		);
	});
}

#[test]
fn ids_do_not_overflow() {
	run_test(|| {
		NextDatanetId::<Test>::put(DatanetId::MAX);
		assert_noop!(
			Datanets::create(origin(ALICE), vec![], vec![], vec![], DIGITS, CurationPolicy::Open),
			Error::<Test>::Overflow
		);
	});
}

#[test]
fn a_datanet_changes_hands_and_its_holder_curates_and_publishes() {
	run_test(|| {
		let id = create(CurationPolicy::Curated);
		assert_eq!(TestHoldings::holder(AssetKind::Datanet, id), Some(ALICE));
		let deposit = held(HoldReason::DatanetDeposit, ALICE);
		let a = contribute(BOB, id, &[1; 4], 1);
		// Alice gives the Datanet to Dave: Dave reviews, names curators and publishes; Alice
		// does none of it, and her deposit stays held on her.
		TestHoldings::transfer(AssetKind::Datanet, id, &DAVE);
		assert_eq!(Datanets::datanet_info(id).unwrap().owner, DAVE);
		assert_eq!(crate::Datanets::<Test>::get(id).unwrap().owner, ALICE, "the creator");
		assert_noop!(Datanets::review(origin(ALICE), id, a, true), Error::<Test>::NotCurator);
		assert_ok!(Datanets::review(origin(DAVE), id, a, true));
		assert_noop!(Datanets::add_curator(origin(ALICE), id, CHARLIE), Error::<Test>::NotOwner);
		assert_noop!(Datanets::add_curator(origin(DAVE), id, DAVE), Error::<Test>::AlreadyCurator);
		assert_ok!(Datanets::add_curator(origin(DAVE), id, CHARLIE));
		assert_noop!(Datanets::publish_version(origin(ALICE), id, 1), Error::<Test>::NotOwner);
		assert_ok!(Datanets::publish_version(origin(DAVE), id, 1));
		assert_eq!(crate::Datanets::<Test>::get(id).unwrap().versions, 1);
		assert_eq!(held(HoldReason::DatanetDeposit, ALICE), deposit);
	});
}

#[test]
fn the_v2_migration_mints_each_datanets_item_to_its_creator() {
	use frame_support::traits::UncheckedOnRuntimeUpgrade;
	run_test(|| {
		let id = create(CurationPolicy::Open);
		// A Datanet stored before Datanets were items: no item yet (its deposit is the first
		// one's, so take it out before the invariants run).
		let mut net = crate::Datanets::<Test>::get(id).unwrap();
		net.deposit = 0;
		crate::Datanets::<Test>::insert(id + 1, net);
		NextDatanetId::<Test>::put(id + 2);
		assert_eq!(TestHoldings::holder(AssetKind::Datanet, id + 1), None::<AccountId>);
		crate::migrations::v2::ItemsOfDatanets::<Test>::on_runtime_upgrade();
		assert_eq!(TestHoldings::holder(AssetKind::Datanet, id + 1), Some(ALICE));
	});
}
