//! The pallet's storage invariants, checked by `try_state` and after every unit test.

use alloc::collections::btree_map::BTreeMap;
use frame_support::{ensure, traits::fungible::InspectHold};
use sp_core::H256;
use sp_runtime::{traits::Zero, Saturating, TryRuntimeError};

use crate::*;

impl<T: Config> Pallet<T> {
	/// Checks that the counters, the accepted log, the versions and the held deposits agree
	/// (a Datanet's deposit is held from its creator), and that every Datanet has exactly one
	/// item and every item of the Datanets' collection one Datanet.
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		let mut datanet_deposits: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
		let mut record_deposits: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
		ensure!(
			T::Holdings::items(AssetKind::Datanet).iter().all(|id| Datanets::<T>::contains_key(id)),
			"an item of the Datanets' collection is no Datanet"
		);

		for (id, net) in Datanets::<T>::iter() {
			ensure!(id < NextDatanetId::<T>::get(), "a Datanet id is not below NextDatanetId");
			ensure!(T::Holdings::holder(AssetKind::Datanet, id).is_some(), "a Datanet has no item");
			let entry = datanet_deposits.entry(net.owner.clone()).or_insert_with(Zero::zero);
			*entry = entry.saturating_add(net.deposit);

			ensure!(
				Curators::<T>::iter_prefix(id).count() as u32 == net.curators,
				"the curator count disagrees with Curators"
			);

			// The log is dense, its chain roots are right, and each entry's record is accepted
			// (or removed) at that position.
			let mut root = H256::zero();
			for index in 0..net.accepted {
				let entry = AcceptedLog::<T>::get(id, index).ok_or("a hole in the accepted log")?;
				root = chain_root(&root, &entry.record);
				ensure!(entry.root == root, "a wrong chain root in the accepted log");
				let rec =
					Records::<T>::get(id, entry.record).ok_or("a logged record is missing")?;
				ensure!(
					matches!(rec.status, RecordStatus::Accepted { index: i } | RecordStatus::Removed { index: i, .. } if i == index),
					"a logged record has the wrong status"
				);
			}
			ensure!(root == net.root, "the Datanet's root is not the log's");
			ensure!(
				AcceptedLog::<T>::iter_prefix(id).count() as u32 == net.accepted,
				"the accepted count disagrees with the log"
			);

			let mut previous = 0;
			for version in 1..=net.versions {
				let info = Versions::<T>::get(id, version).ok_or("a missing version")?;
				ensure!(info.count > previous && info.count <= net.accepted, "a bad version count");
				let entry =
					AcceptedLog::<T>::get(id, info.count - 1).ok_or("a version beyond the log")?;
				ensure!(entry.root == info.root, "a version root disagrees with the log");
				previous = info.count;
			}
			ensure!(
				Versions::<T>::iter_prefix(id).count() as u32 == net.versions,
				"the version count disagrees with Versions"
			);

			let mut pending = 0u32;
			for (hash, rec) in Records::<T>::iter_prefix(id) {
				if rec.status == RecordStatus::Pending {
					pending += 1;
				}
				let removed = matches!(rec.status, RecordStatus::Removed { .. });
				let in_state = rec.location == PayloadLocation::State && !removed;
				ensure!(
					Payloads::<T>::contains_key(id, hash) == in_state,
					"a payload is in state iff the record says so and is not removed"
				);
				let entry =
					record_deposits.entry(rec.contributor.clone()).or_insert_with(Zero::zero);
				*entry = entry.saturating_add(rec.deposit);
			}
			ensure!(pending == net.pending, "the pending count disagrees with Records");
		}

		// The defensive reads of a record's Datanet (features/records.rs, moderation.rs) rest
		// on this: no record or payload outlives its Datanet.
		ensure!(
			Records::<T>::iter_keys().all(|(id, _)| Datanets::<T>::contains_key(id))
				&& Payloads::<T>::iter_keys().all(|(id, _)| Datanets::<T>::contains_key(id)),
			"a record or a payload names a Datanet that does not exist"
		);

		for (who, total) in datanet_deposits {
			ensure!(
				T::Currency::balance_on_hold(&HoldReason::DatanetDeposit.into(), &who) == total,
				"Datanet deposits disagree with the held balance"
			);
		}
		for (who, total) in record_deposits {
			ensure!(
				T::Currency::balance_on_hold(&HoldReason::RecordDeposit.into(), &who) == total,
				"record deposits disagree with the held balance"
			);
		}
		Ok(())
	}
}
