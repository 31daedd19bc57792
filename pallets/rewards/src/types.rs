//! The pallet's own types: the balance type of OPEN. The types it stores besides balances (the
//! split) and the parties of a distribution live in `openledger-primitives`.

use frame_support::{traits::fungible::Inspect, BoundedVec};

use crate::pallet::Config;

/// The balance type of OPEN.
pub type BalanceOf<T> =
	<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;

/// The parts of a revenue split: `(account, part)`, at most [`Config::MaxShareholders`].
pub type RevenuePartsOf<T> =
	BoundedVec<(<T as frame_system::Config>::AccountId, u32), <T as Config>::MaxShareholders>;
