//! Registering an agent, and the owner's settings: its metadata and its fee.

use alloc::vec::Vec;
use frame_support::{pallet_prelude::*, traits::fungible::MutateHold};

use crate::{
	pallet::*, types::*, AgentId, AgentStatus, AssetKind, Holdings, ModelId, ModelInspect,
};

impl<T: Config> Pallet<T> {
	/// Checks and stores a registration; returns the new agent's id.
	pub fn do_register(
		owner: T::AccountId,
		model: ModelId,
		metadata: Vec<u8>,
		fee: BalanceOf<T>,
	) -> Result<AgentId, DispatchError> {
		let m = T::Models::model(model).ok_or(Error::<T>::UnknownModel)?;
		ensure!(m.status.accepts_agents(), Error::<T>::ModelUnavailable);
		let metadata: BoundedVec<u8, T::MaxMetadataLen> =
			metadata.try_into().map_err(|_| Error::<T>::MetadataTooLong)?;
		let id = NextAgentId::<T>::get();
		let next = id.checked_add(1).ok_or(Error::<T>::Overflow)?;

		let bond = T::AgentBond::get();
		T::Currency::hold(&HoldReason::AgentBond.into(), &owner, bond)?;

		Agents::<T>::insert(
			id,
			Agent { owner: owner.clone(), model, metadata, fee, bond, status: AgentStatus::Active },
		);
		NextAgentId::<T>::put(next);
		T::Holdings::mint(AssetKind::Agent, id, &owner)?;
		Self::deposit_event(Event::AgentRegistered { agent: id, owner, model, fee, bond });
		Ok(id)
	}

	/// Sets `agent`'s metadata, for its owner `who`.
	pub(crate) fn do_set_metadata(
		who: &T::AccountId,
		agent: AgentId,
		metadata: Vec<u8>,
	) -> DispatchResult {
		let mut a = Self::active_owned(who, agent)?;
		a.metadata = metadata.try_into().map_err(|_| Error::<T>::MetadataTooLong)?;
		Agents::<T>::insert(agent, a);
		Self::deposit_event(Event::MetadataSet { agent });
		Ok(())
	}

	/// Sets `agent`'s fee per inference, for its owner `who`.
	pub(crate) fn do_set_fee(
		who: &T::AccountId,
		agent: AgentId,
		fee: BalanceOf<T>,
	) -> DispatchResult {
		let mut a = Self::active_owned(who, agent)?;
		a.fee = fee;
		Agents::<T>::insert(agent, a);
		Self::deposit_event(Event::FeeSet { agent, fee });
		Ok(())
	}

	/// `agent` as stored, if `who` holds its item.
	pub(crate) fn owned(who: &T::AccountId, agent: AgentId) -> Result<AgentOf<T>, DispatchError> {
		let a = Agents::<T>::get(agent).ok_or(Error::<T>::UnknownAgent)?;
		ensure!(Self::owner_of(agent, &a) == *who, Error::<T>::NotOwner);
		Ok(a)
	}

	/// The owner of `agent` (stored as `a`): the holder of its item, or, for an agent without
	/// one (none since storage version 3), its registrant.
	pub fn owner_of(agent: AgentId, a: &AgentOf<T>) -> T::AccountId {
		T::Holdings::holder(AssetKind::Agent, agent).unwrap_or_else(|| a.owner.clone())
	}

	/// `agent`, if `who` owns it and it is registered (not unbonding).
	pub(crate) fn active_owned(
		who: &T::AccountId,
		agent: AgentId,
	) -> Result<AgentOf<T>, DispatchError> {
		let a = Self::owned(who, agent)?;
		ensure!(a.status == AgentStatus::Active, Error::<T>::NotActive);
		Ok(a)
	}
}
