//! The types the Models pallet stores: a registered model, and the balance type of its
//! deposits. The spec, status and cost types live in `openledger-primitives`.

use codec::{Decode, Encode, MaxEncodedLen};
use frame_support::{
	traits::fungible::Inspect, BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
};
use scale_info::TypeInfo;

use crate::{pallet::Config, DatanetId, ModelSpec, ModelStatus, VersionIndex};

/// The balance type of the currency that deposits are held in.
pub type BalanceOf<T> =
	<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;

/// A registered model.
#[derive(
	CloneNoBound, DebugNoBound, PartialEqNoBound, EqNoBound, Encode, Decode, MaxEncodedLen, TypeInfo,
)]
#[scale_info(skip_type_params(T))]
pub struct Model<T: Config> {
	/// The developer who registered it.
	pub owner: T::AccountId,
	/// The Datanet it trains on.
	pub datanet: DatanetId,
	/// The version of that Datanet.
	pub version: VersionIndex,
	/// How it is trained.
	pub spec: ModelSpec,
	/// The fee per inference.
	pub fee: BalanceOf<T>,
	/// Where it stands.
	pub status: ModelStatus,
	/// The deposit held from the owner (zero once retired).
	pub deposit: BalanceOf<T>,
	/// Free-form metadata (UTF-8 by convention).
	pub metadata: BoundedVec<u8, T::MaxMetadataLen>,
}
