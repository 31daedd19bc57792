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
use codec::Encode;
use frame_support::BoundedVec;
use openledger_primitives::{apis, traits::TestHoldings};

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

/// Notes `call` as the block's next extrinsic ([`as_next_extrinsic`]) and returns it.
fn next(call: crate::Call<Test>) -> crate::Call<Test> {
	as_next_extrinsic(&call);
	call
}

/// Dispatches `call` from `who`.
fn by(who: AccountId, call: crate::Call<Test>) -> sp_runtime::DispatchResult {
	use frame_support::traits::UnfilteredDispatchable;
	call.dispatch_bypass_filter(origin(who)).map(|_| ()).map_err(|e| e.error)
}

/// Sends `call` from `who` as the block's next extrinsic, and asserts that it fails with
/// `error` and changes nothing.
macro_rules! assert_refused {
	($who:expr, $call:expr, $error:expr $(,)?) => {{
		let call = next($call);
		assert_noop!(by($who, call), $error);
	}};
}

/// The `contribute` call.
fn contribution(datanet: DatanetId, payload: Vec<u8>, label: u16) -> crate::Call<Test> {
	crate::Call::contribute { datanet, payload, label }
}

/// The `contribute_batch` call.
fn batch_of(datanet: DatanetId, records: Vec<(Vec<u8>, u16)>) -> crate::Call<Test> {
	crate::Call::contribute_batch { datanet, records: BoundedVec::truncate_from(records) }
}

fn contribute(who: AccountId, datanet: DatanetId, payload: &[u8], label: u16) -> RecordHash {
	assert_ok!(by(who, next(contribution(datanet, payload.to_vec(), label))));
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
		// The payload is not in state: the record points at the extrinsic's last bytes, the
		// payload and its label, in the transaction index.
		assert!(Payloads::<Test>::get(id, hash).is_none());
		let tail = [1, 2, 3, 4, 7, 0];
		let at =
			IndexedPayload { content: H256(sp_io::hashing::blake2_256(&tail)), offset: 0, len: 4 };
		assert_eq!(rec.location, PayloadLocation::Indexed(at));
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
		let batch = |records: Vec<(Vec<u8>, u16)>| batch_of(id, records);
		let records = vec![(vec![1, 2, 3, 4], 7), (vec![4, 3, 2, 1], 1), (vec![1, 2, 3, 4], 8)];
		assert_ok!(by(BOB, next(batch(records.clone()))));
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
		assert_refused!(
			BOB,
			batch(vec![(vec![5; 4], 0), (vec![1, 2, 3, 17], 0)]),
			Error::<Test>::InvalidRecord(RecordError::ValueOutOfRange)
		);
		assert_refused!(
			BOB,
			batch(vec![(vec![6; 4], 0), (vec![6; 4], 0)]),
			Error::<Test>::DuplicateRecord
		);
		assert_refused!(BOB, batch(vec![]), Error::<Test>::EmptyBatch);
		assert_refused!(BOB, batch_of(9, vec![(vec![1; 4], 0)]), Error::<Test>::UnknownDatanet);
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
		let c = |payload: Vec<u8>, label| contribution(id, payload, label);
		let invalid = |e| Error::<Test>::InvalidRecord(e);
		assert_refused!(BOB, c(vec![], 0), invalid(RecordError::EmptyPayload));
		assert_refused!(BOB, c(vec![1; 3], 0), invalid(RecordError::WrongDimensions));
		assert_refused!(BOB, c(vec![1; 5], 0), invalid(RecordError::WrongDimensions));
		assert_refused!(BOB, c(vec![1, 2, 3, 17], 0), invalid(RecordError::ValueOutOfRange));
		assert_refused!(BOB, c(vec![1; 4], 10), invalid(RecordError::LabelOutOfRange));
		assert_refused!(
			BOB,
			c(vec![1; MAX_PAYLOAD as usize + 1], 0),
			invalid(RecordError::PayloadTooLong)
		);
		assert_refused!(BOB, contribution(9, vec![1; 4], 0), Error::<Test>::UnknownDatanet);
		assert_refused!(POOR, c(vec![1; 4], 0), DispatchError::Token(TokenError::FundsUnavailable));

		contribute(BOB, id, &[1; 4], 0);
		// The same content is a duplicate, whoever sends it; another label is another record.
		assert_refused!(BOB, c(vec![1; 4], 0), Error::<Test>::DuplicateRecord);
		assert_refused!(CHARLIE, c(vec![1; 4], 0), Error::<Test>::DuplicateRecord);
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
		assert_refused!(
			BOB,
			contribution(0, vec![0xff, 0xfe], 0),
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
		let tail = [3, 3, 3, 3, 3, 0];
		let at =
			IndexedPayload { content: H256(sp_io::hashing::blake2_256(&tail)), offset: 0, len: 4 };
		assert_eq!(
			Datanets::record_info(id, hash).unwrap().payload,
			Some(apis::Payload::Indexed(at))
		);
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
		// A copy of the record under a Datanet that does not exist.
		Records::<Test>::insert(id + 1, hash, Records::<Test>::get(id, hash).unwrap());
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

/// Makes the record of `payload` and `label` one contributed before payloads left the state:
/// its payload in `Payloads`, as the migration to storage version 3 leaves it.
fn kept_in_state(datanet: DatanetId, payload: &[u8], label: u16) -> RecordHash {
	let hash = record_hash(payload, label);
	Records::<Test>::mutate(datanet, hash, |r| {
		r.as_mut().unwrap().location = PayloadLocation::State
	});
	Payloads::<Test>::insert(datanet, hash, BoundedVec::truncate_from(payload.to_vec()));
	hash
}

/// A batch's payloads are indexed once, as the batch's encoding, and each record points at its
/// own bytes in it; the node's database receives one index operation, for that extrinsic.
#[test]
fn a_batch_is_indexed_once_and_each_record_points_at_its_payload() {
	let mut ext = new_test_ext();
	let records = vec![(vec![1, 2, 3, 4], 7), (vec![4, 3, 2, 1], 1)];
	let content = H256(sp_io::hashing::blake2_256(&records.encode()));
	let extrinsic = ext.execute_with(|| {
		let id = create(CurationPolicy::Open);
		assert_ok!(by(BOB, next(batch_of(id, records.clone()))));
		let extrinsic = System::extrinsic_index().unwrap();
		let encoded = records.encode();
		for (payload, label) in &records {
			let rec = Records::<Test>::get(id, record_hash(payload, *label)).unwrap();
			let PayloadLocation::Indexed(at) = rec.location else { panic!("not indexed") };
			assert_eq!(at.content, content);
			assert_eq!(at.cut(&encoded), Some(&payload[..]));
		}
		assert_eq!(Payloads::<Test>::iter().count(), 0, "no payload in state");
		assert_ok!(Datanets::publish_version(origin(ALICE), id, 2));
		let page = Datanets::version_records(id, 1, 0, 10);
		assert!(page.iter().all(|r| matches!(r.payload, Some(apis::Payload::Indexed(_)))));
		extrinsic
	});
	// (`IndexOperation` is `sp-state-machine`'s, not a dependency: compared as it prints.)
	let ops = format!("{:?}", ext.overlayed_changes().transaction_index_ops());
	let size = records.encode().len();
	let one = format!(
		"[Insert {{ extrinsic: {extrinsic}, hash: {:?}, size: {size} }}]",
		content.0.to_vec()
	);
	assert_eq!(ops, one);
}

/// The transaction index keeps the last bytes of an extrinsic: a contribution that does not
/// end its extrinsic, or a second one in the same extrinsic, would point at bytes that are not
/// its payload, or that another index replaced. Both are refused, and change nothing.
#[test]
fn a_contribution_must_end_its_extrinsic_and_be_its_only_one() {
	run_test(|| {
		let (id, other) = (create(CurationPolicy::Open), create(CurationPolicy::Open));
		// Sent in an extrinsic that ends with something else (a multisig's weight, a batch's
		// next call): its bytes are not the extrinsic's last.
		let call = contribution(id, vec![1; 4], 1);
		as_next_extrinsic(&call);
		let index = System::extrinsic_index().unwrap();
		let mut extrinsic = System::extrinsic_data(index);
		extrinsic.extend([9, 9]);
		System::note_extrinsic(extrinsic);
		assert_noop!(by(BOB, call), Error::<Test>::NotAtEndOfExtrinsic);

		// A batch that ends with a record, then that record alone, in one extrinsic: the
		// single contribution's bytes are the extrinsic's last too, but a second index of the
		// extrinsic would replace the batch's, whose records would be kept nowhere.
		let batch = batch_of(id, vec![(vec![2; 4], 0), (vec![1; 4], 1)]);
		assert_ok!(by(BOB, next(batch)));
		assert_noop!(
			by(CHARLIE, contribution(other, vec![1; 4], 1)),
			Error::<Test>::OneContributionPerExtrinsic
		);
		// The next extrinsic may contribute again.
		contribute(CHARLIE, id, &[3; 4], 1);
	});
}

/// Records contributed before payloads left the state move out of it with their bytes, for no
/// fee; bytes of no such record, or of one moved already, move nothing.
#[test]
fn old_payloads_move_out_of_state_with_their_bytes() {
	run_test(|| {
		let id = create(CurationPolicy::Open);
		let records = vec![(vec![1; 4], 1), (vec![2; 4], 2)];
		for (payload, label) in &records {
			contribute(BOB, id, payload, *label);
			kept_in_state(id, payload, *label);
		}
		assert_ok!(Datanets::do_try_state());

		let moving = crate::Call::<Test>::move_payloads {
			datanet: id,
			records: BoundedVec::truncate_from(records.clone()),
		};
		// Someone else's bytes: no record has them.
		assert_refused!(
			DAVE,
			crate::Call::move_payloads {
				datanet: id,
				records: BoundedVec::truncate_from(vec![(vec![1; 4], 1), (vec![5; 4], 1)]),
			},
			Error::<Test>::UnknownRecord
		);
		as_next_extrinsic(&moving);
		use frame_support::traits::UnfilteredDispatchable;
		let post = moving.clone().dispatch_bypass_filter(origin(DAVE)).unwrap();
		assert_eq!(post.pays_fee, frame_support::dispatch::Pays::No);
		let content = H256(sp_io::hashing::blake2_256(&records.encode()));
		System::assert_last_event(Event::PayloadsMoved { datanet: id, count: 2, content }.into());
		assert_eq!(Payloads::<Test>::iter().count(), 0);
		for (payload, label) in &records {
			let rec = Records::<Test>::get(id, record_hash(payload, *label)).unwrap();
			let PayloadLocation::Indexed(at) = rec.location else { panic!("not moved") };
			assert_eq!(at.cut(&records.encode()), Some(&payload[..]));
		}
		// Moved already: nothing to move, and the fee is paid.
		assert_refused!(DAVE, moving, Error::<Test>::NotInState);
	});
}

/// Moderation deletes a payload kept in state; an indexed one the APIs no longer show.
#[test]
fn moderation_deletes_an_old_payload_from_state() {
	run_test(|| {
		let id = create(CurationPolicy::Open);
		contribute(BOB, id, &[1; 4], 1);
		let old = kept_in_state(id, &[1; 4], 1);
		let new = contribute(BOB, id, &[2; 4], 1);
		assert_eq!(
			Datanets::record_info(id, old).unwrap().payload,
			Some(apis::Payload::State(vec![1; 4]))
		);
		assert_ok!(Datanets::remove(RuntimeOrigin::root(), id, old));
		assert_ok!(Datanets::remove(RuntimeOrigin::root(), id, new));
		assert!(Payloads::<Test>::get(id, old).is_none());
		assert_eq!(Datanets::record_info(id, old).unwrap().payload, None);
		assert_eq!(Datanets::record_info(id, new).unwrap().payload, None);
	});
}

/// The migration to storage version 3 on records in the layout of version 2: each keeps its
/// payload in state and says so; nothing else of it changes.
#[test]
fn the_v3_migration_says_each_old_record_keeps_its_payload_in_state() {
	use crate::migrations::v3::{OldRecord, PayloadsInState};
	use frame_support::traits::UncheckedOnRuntimeUpgrade;
	new_test_ext().execute_with(|| {
		let id = create(CurationPolicy::Curated);
		let (a, b) = (record_hash(&[1; 4], 1), record_hash(&[2; 4], 2));
		let status = [RecordStatus::Pending, RecordStatus::Removed { index: 0, at: 1 }];
		for (hash, status) in [a, b].into_iter().zip(status) {
			let old = OldRecord { contributor: BOB, label: 1, status, deposit: 0u128 };
			frame_support::storage::unhashed::put_raw(
				&Records::<Test>::hashed_key_for(id, hash),
				&old.encode(),
			);
		}
		Payloads::<Test>::insert(id, a, BoundedVec::truncate_from(vec![1; 4]));
		assert_eq!(Records::<Test>::get(id, a), None, "the old layout does not decode");
		let before = PayloadsInState::<Test>::old_records();
		assert_eq!(before.len(), 2);

		let weight = PayloadsInState::<Test>::on_runtime_upgrade();
		let db = <<Test as frame_system::Config>::DbWeight as frame_support::traits::Get<
			frame_support::weights::RuntimeDbWeight,
		>>::get();
		assert_eq!(weight, db.reads_writes(2, 2));
		assert_eq!(Records::<Test>::get(id, a).unwrap().location, PayloadLocation::State);
		assert_eq!(Records::<Test>::get(id, b).unwrap().status, status[1]);
		assert_ok!(PayloadsInState::<Test>::check(before.clone()));
		// The check sees a record that lost its payload.
		Payloads::<Test>::remove(id, a);
		assert!(PayloadsInState::<Test>::check(before).is_err());
	});
}
