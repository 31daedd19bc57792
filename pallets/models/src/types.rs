//! The types the Models pallet stores: a registered model, and the balance type of its
//! deposits. The spec, status and cost types live in `openledger-primitives`.

use frame_support::{traits::fungible::Inspect, BoundedVec};
pub use openledger_primitives::models::{Model, Source};

use crate::pallet::Config;

/// The balance type of the currency that deposits are held in.
pub type BalanceOf<T> =
	<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;

/// A registered model as stored: its metadata bounded by `MaxMetadataLen`, its sources by
/// `MaxSources`.
pub type ModelOf<T> = Model<
	<T as frame_system::Config>::AccountId,
	BalanceOf<T>,
	BoundedVec<u8, <T as Config>::MaxMetadataLen>,
	BoundedVec<Source, <T as Config>::MaxSources>,
>;
