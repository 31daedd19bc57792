//! Creating a Datanet, with its deposit, and managing its curators.

use alloc::vec::Vec;
use frame_support::{
	ensure,
	traits::{fungible::MutateHold, DefensiveSaturating, Get},
	BoundedVec,
};
use sp_core::H256;
use sp_runtime::{traits::Saturating, DispatchError, DispatchResult};

use crate::*;

impl<T: Config> Pallet<T> {
	/// The deposit for a Datanet with `bytes` of metadata.
	pub fn datanet_deposit(bytes: u32) -> BalanceOf<T> {
		T::DatanetDeposit::get()
			.saturating_add(T::DepositPerByte::get().saturating_mul(bytes.into()))
	}

	/// The Datanet `datanet` as stored, if `who` holds its item.
	pub(crate) fn ensure_owner(
		who: &T::AccountId,
		datanet: DatanetId,
	) -> Result<DatanetOf<T>, DispatchError> {
		let net = Datanets::<T>::get(datanet).ok_or(Error::<T>::UnknownDatanet)?;
		ensure!(Self::owner_of(datanet, &net) == *who, Error::<T>::NotOwner);
		Ok(net)
	}

	/// The owner of `datanet` (stored as `net`): the holder of its item, or, for a Datanet
	/// without one (none since storage version 2), its creator.
	pub fn owner_of(datanet: DatanetId, net: &DatanetOf<T>) -> T::AccountId {
		T::Holdings::holder(AssetKind::Datanet, datanet).unwrap_or_else(|| net.owner.clone())
	}

	/// Whether `who` may review records of `datanet` (its owner or a curator).
	pub fn is_curator(net: &DatanetOf<T>, datanet: DatanetId, who: &T::AccountId) -> bool {
		Self::owner_of(datanet, net) == *who || Curators::<T>::contains_key(datanet, who)
	}

	pub fn do_create(
		owner: T::AccountId,
		name: Vec<u8>,
		description: Vec<u8>,
		license: Vec<u8>,
		schema: Schema,
		policy: CurationPolicy,
	) -> DispatchResult {
		let name: BoundedVec<u8, T::MaxNameLen> =
			name.try_into().map_err(|_| Error::<T>::NameTooLong)?;
		let description: BoundedVec<u8, T::MaxDescriptionLen> =
			description.try_into().map_err(|_| Error::<T>::DescriptionTooLong)?;
		let license: BoundedVec<u8, T::MaxLicenseLen> =
			license.try_into().map_err(|_| Error::<T>::LicenseTooLong)?;
		ensure!(
			schema.is_valid(T::MaxClasses::get(), T::MaxDims::get()),
			Error::<T>::InvalidSchema
		);
		let id = NextDatanetId::<T>::get();
		let next = id.checked_add(1).ok_or(Error::<T>::Overflow)?;

		let bytes = (name.len() + description.len() + license.len()) as u32;
		let deposit = Self::datanet_deposit(bytes);
		T::Currency::hold(&HoldReason::DatanetDeposit.into(), &owner, deposit)?;

		Datanets::<T>::insert(
			id,
			Datanet {
				owner: owner.clone(),
				name,
				description,
				license,
				schema,
				policy,
				deposit,
				curators: 0,
				pending: 0,
				accepted: 0,
				root: H256::zero(),
				versions: 0,
			},
		);
		NextDatanetId::<T>::put(next);
		T::Holdings::mint(AssetKind::Datanet, id, &owner)?;
		Self::deposit_event(Event::DatanetCreated { datanet: id, owner, deposit });
		Ok(())
	}

	pub(crate) fn do_add_curator(
		who: T::AccountId,
		datanet: DatanetId,
		curator: T::AccountId,
	) -> DispatchResult {
		let mut net = Self::ensure_owner(&who, datanet)?;
		ensure!(
			curator != Self::owner_of(datanet, &net)
				&& !Curators::<T>::contains_key(datanet, &curator),
			Error::<T>::AlreadyCurator
		);
		ensure!(net.curators < T::MaxCurators::get(), Error::<T>::TooManyCurators);
		net.curators += 1;
		Curators::<T>::insert(datanet, &curator, ());
		Datanets::<T>::insert(datanet, net);
		Self::deposit_event(Event::CuratorAdded { datanet, curator });
		Ok(())
	}

	pub(crate) fn do_remove_curator(
		who: T::AccountId,
		datanet: DatanetId,
		curator: T::AccountId,
	) -> DispatchResult {
		let mut net = Self::ensure_owner(&who, datanet)?;
		ensure!(Curators::<T>::contains_key(datanet, &curator), Error::<T>::UnknownCurator);
		// A curator is counted (`try_state`: the count is the number of `Curators`).
		net.curators.defensive_saturating_dec();
		Curators::<T>::remove(datanet, &curator);
		Datanets::<T>::insert(datanet, net);
		Self::deposit_event(Event::CuratorRemoved { datanet, curator });
		Ok(())
	}
}
