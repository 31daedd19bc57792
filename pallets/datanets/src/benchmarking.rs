//! Benchmarks of every call, at its worst case.

use super::*;
use crate::types::Datanet;
use alloc::{vec, vec::Vec};
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{fungible::Mutate, EnsureOrigin, Get},
	BoundedVec,
};
use frame_system::RawOrigin;
use sp_runtime::traits::Bounded;

fn funded<T: Config>(name: &'static str, index: u32) -> T::AccountId {
	let who: T::AccountId = account(name, index, 0);
	T::Currency::set_balance(&who, BalanceOf::<T>::max_value() / 4u32.into());
	who
}

/// A Datanet of `dims` values per record under `policy`, owned by a funded account, with
/// the longest metadata.
fn datanet<T: Config>(policy: CurationPolicy) -> (T::AccountId, DatanetId, u16) {
	let owner = funded::<T>("owner", 0);
	let dims = T::MaxDims::get().min(T::MaxPayloadLen::get() as u16);
	let schema = Schema::Dense { dims, classes: 2, max_value: u8::MAX };
	let id = NextDatanetId::<T>::get();
	Pallet::<T>::do_create(
		owner.clone(),
		vec![b'n'; T::MaxNameLen::get() as usize],
		vec![b'd'; T::MaxDescriptionLen::get() as usize],
		vec![b'l'; T::MaxLicenseLen::get() as usize],
		schema,
		policy,
	)
	.expect("a valid Datanet");
	(owner, id, dims)
}

/// A distinct dense payload of `dims` values.
/// An Open Text Datanet of two classes (contributions to it are accepted at once: the heavier
/// path), id 0, owned by a funded account.
fn open_text_datanet<T: Config>() {
	let owner = funded::<T>("owner", 0);
	Pallet::<T>::do_create(
		owner,
		vec![b'n'],
		vec![],
		vec![],
		Schema::Text { classes: 2 },
		CurationPolicy::Open,
	)
	.unwrap();
}

/// `n` distinct texts of `p` bytes, label 1: the index in eight digits, padded.
fn texts(n: u32, p: u32) -> Vec<(Vec<u8>, ClassLabel)> {
	(0..n)
		.map(|i| {
			let mut text = alloc::format!("{i:08}").into_bytes();
			text.resize(p as usize, b'a');
			(text, 1)
		})
		.collect()
}

/// Makes `call` the block's next extrinsic, as its last bytes.
fn note_call<T: Config>(call: Call<T>) {
	use codec::Encode;
	note_next_extrinsic::<T>(call.encode());
}

fn payload(dims: u16, seed: u32) -> Vec<u8> {
	let mut p = vec![0u8; dims as usize];
	for (i, b) in seed.to_le_bytes().iter().enumerate() {
		if i < p.len() {
			p[i] = *b;
		}
	}
	p
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn create() {
		let owner = funded::<T>("owner", 0);
		let schema = Schema::Text { classes: T::MaxClasses::get() };
		#[extrinsic_call]
		_(
			RawOrigin::Signed(owner.clone()),
			vec![b'n'; T::MaxNameLen::get() as usize],
			vec![b'd'; T::MaxDescriptionLen::get() as usize],
			vec![b'l'; T::MaxLicenseLen::get() as usize],
			schema,
			CurationPolicy::Curated,
		);
		assert!(matches!(Datanets::<T>::get(0), Some(Datanet { .. })));
	}

	#[benchmark]
	fn add_curator() {
		let (owner, id, _) = datanet::<T>(CurationPolicy::Curated);
		for i in 1..T::MaxCurators::get() {
			Pallet::<T>::do_add_curator(owner.clone(), id, account("curator", i, 0)).unwrap();
		}
		let curator: T::AccountId = account("curator", 0, 0);
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), id, curator.clone());
		assert!(Curators::<T>::contains_key(id, curator));
	}

	#[benchmark]
	fn remove_curator() {
		let (owner, id, _) = datanet::<T>(CurationPolicy::Curated);
		let curator: T::AccountId = account("curator", 0, 0);
		Pallet::<T>::do_add_curator(owner.clone(), id, curator.clone()).unwrap();
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), id, curator.clone());
		assert!(!Curators::<T>::contains_key(id, curator));
	}

	/// Contributing `p` bytes of text to an Open Datanet (accepted at once: the heavier path).
	#[benchmark]
	fn contribute(p: Linear<1, { T::MaxPayloadLen::get() }>) {
		open_text_datanet::<T>();
		let contributor = funded::<T>("contributor", 0);
		let text = vec![b'a'; p as usize];
		let hash = record_hash(&text, 1);
		note_call::<T>(Call::<T>::contribute { datanet: 0, payload: text.clone(), label: 1 });
		#[extrinsic_call]
		_(RawOrigin::Signed(contributor), 0, text, 1);
		assert!(Records::<T>::contains_key(0, hash));
	}

	/// Contributing `n` records of `p` bytes of text each, in one batch, to an Open Datanet.
	#[benchmark]
	fn contribute_batch(
		n: Linear<1, { T::MaxContributionBatch::get() }>,
		p: Linear<8, { T::MaxPayloadLen::get() }>,
	) {
		open_text_datanet::<T>();
		let contributor = funded::<T>("contributor", 0);
		let records = BoundedVec::truncate_from(texts(n, p));
		note_call::<T>(Call::<T>::contribute_batch { datanet: 0, records: records.clone() });
		#[extrinsic_call]
		_(RawOrigin::Signed(contributor), 0, records);
		assert_eq!(Datanets::<T>::get(0).unwrap().accepted, n);
	}

	/// Moving `n` payloads of `p` bytes each out of state (records contributed before payloads
	/// left it).
	#[benchmark]
	fn move_payloads(
		n: Linear<1, { T::MaxContributionBatch::get() }>,
		p: Linear<8, { T::MaxPayloadLen::get() }>,
	) {
		open_text_datanet::<T>();
		let contributor = funded::<T>("contributor", 0);
		let records = texts(n, p);
		for (text, label) in &records {
			let hash = contribute_alone::<T>(contributor.clone(), 0, text.clone(), *label).unwrap();
			Records::<T>::mutate(0, hash, |r| {
				if let Some(r) = r {
					r.location = PayloadLocation::State;
				}
			});
			Payloads::<T>::insert(0, hash, BoundedVec::truncate_from(text.clone()));
		}
		let records = BoundedVec::truncate_from(records);
		note_call::<T>(Call::<T>::move_payloads { datanet: 0, records: records.clone() });
		#[extrinsic_call]
		_(RawOrigin::Signed(contributor), 0, records);
		assert_eq!(Payloads::<T>::iter().count(), 0);
	}

	#[benchmark]
	fn review_accept() {
		let (owner, id, dims) = datanet::<T>(CurationPolicy::Curated);
		let contributor = funded::<T>("contributor", 0);
		let hash = contribute_alone::<T>(contributor, id, payload(dims, 1), 1).unwrap();
		#[extrinsic_call]
		review(RawOrigin::Signed(owner), id, hash, true);
		assert_eq!(Datanets::<T>::get(id).map(|n| n.accepted), Some(1));
	}

	#[benchmark]
	fn review_reject() {
		let (owner, id, dims) = datanet::<T>(CurationPolicy::Curated);
		let contributor = funded::<T>("contributor", 0);
		let hash = contribute_alone::<T>(contributor, id, payload(dims, 1), 1).unwrap();
		#[extrinsic_call]
		review(RawOrigin::Signed(owner), id, hash, false);
		assert!(!Records::<T>::contains_key(id, hash));
	}

	#[benchmark]
	fn withdraw() {
		let (_, id, dims) = datanet::<T>(CurationPolicy::Curated);
		let contributor = funded::<T>("contributor", 0);
		let hash = contribute_alone::<T>(contributor.clone(), id, payload(dims, 1), 1).unwrap();
		#[extrinsic_call]
		_(RawOrigin::Signed(contributor), id, hash);
		assert!(!Records::<T>::contains_key(id, hash));
	}

	/// Removing an accepted record (its deposit goes to the treasury).
	#[benchmark]
	fn remove() -> Result<(), BenchmarkError> {
		let (_, id, dims) = datanet::<T>(CurationPolicy::Open);
		let contributor = funded::<T>("contributor", 0);
		// The treasury must be able to receive.
		T::Currency::set_balance(
			&T::TreasuryAccount::get(),
			BalanceOf::<T>::max_value() / 4u32.into(),
		);
		let hash = contribute_alone::<T>(contributor, id, payload(dims, 1), 1).unwrap();
		let origin =
			T::ModeratorOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, id, hash);
		assert!(matches!(
			Records::<T>::get(id, hash).map(|r| r.status),
			Some(RecordStatus::Removed { .. })
		));
		Ok(())
	}

	#[benchmark]
	fn publish_version() {
		let (owner, id, dims) = datanet::<T>(CurationPolicy::Open);
		let contributor = funded::<T>("contributor", 0);
		for i in 0..3 {
			contribute_alone::<T>(contributor.clone(), id, payload(dims, i), 1).unwrap();
		}
		Pallet::<T>::do_publish_version(owner.clone(), id, 1).unwrap();
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), id, 3);
		assert_eq!(Datanets::<T>::get(id).map(|n| n.versions), Some(2));
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
