//! The origins that referenda dispatch with on the tracks below root, and the pace of
//! governance on this chain.
//!
//! A referendum on the `economics` track, once approved, dispatches its call with
//! [`Origin::Economics`]; the runtime accepts that origin (or Root) wherever an economic
//! parameter changes. Each origin has an [`EnsureOrigin`](frame_support::traits::EnsureOrigin)
//! of the same name for the pallets' `Config`s.
//!
//! The [`Pace`] is set at genesis and never changes: `Production` on production-style chains,
//! `Fast` on development and test chains, where a referendum must pass in seconds. The track
//! table and the governance periods read it (see [`super::tracks`]).

pub use pallet::*;

#[frame_support::pallet]
pub mod pallet {
	use frame_support::pallet_prelude::*;

	#[pallet::config]
	pub trait Config: frame_system::Config {}

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	/// The origin of an approved referendum on a track below root.
	#[derive(
		PartialEq,
		Eq,
		Clone,
		Copy,
		Encode,
		Decode,
		DecodeWithMemTracking,
		MaxEncodedLen,
		TypeInfo,
		Debug,
	)]
	#[pallet::origin]
	pub enum Origin {
		/// Attestor membership and the consensus parameters of Proof of Attribution.
		AttributionAdmin,
		/// The reward split and the emission.
		Economics,
		/// Treasury spends, up to the treasurer's limit.
		Treasurer,
		/// Moderation: removing records, retiring models and slashing agents.
		Moderator,
	}

	/// How long governance takes on this chain.
	#[derive(
		PartialEq,
		Eq,
		Clone,
		Copy,
		Default,
		Encode,
		Decode,
		DecodeWithMemTracking,
		MaxEncodedLen,
		TypeInfo,
		Debug,
		serde::Serialize,
		serde::Deserialize,
	)]
	pub enum Pace {
		/// Real periods: hours to prepare, days to decide and to enact.
		#[default]
		Production,
		/// Development and test chains: every period is a few blocks.
		Fast,
	}

	/// The pace of governance, set at genesis.
	#[pallet::storage]
	pub type GovernancePace<T> = StorageValue<_, Pace, ValueQuery>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// `Production` unless the chain is for development or tests.
		pub pace: Pace,
		#[serde(skip)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			GovernancePace::<T>::put(self.pace);
		}
	}

	macro_rules! ensure_track_origin {
		($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
			$(#[$doc])*
			pub struct $name;

			impl<O: Into<Result<Origin, O>> + From<Origin>> EnsureOrigin<O> for $name {
				type Success = ();

				fn try_origin(o: O) -> Result<Self::Success, O> {
					o.into().and_then(|o| match o {
						Origin::$name => Ok(()),
						other => Err(O::from(other)),
					})
				}

				#[cfg(feature = "runtime-benchmarks")]
				fn try_successful_origin() -> Result<O, ()> {
					Ok(O::from(Origin::$name))
				}
			}
		)*};
	}

	ensure_track_origin! {
		/// Ensures [`Origin::AttributionAdmin`].
		AttributionAdmin,
		/// Ensures [`Origin::Economics`].
		Economics,
		/// Ensures [`Origin::Treasurer`].
		Treasurer,
		/// Ensures [`Origin::Moderator`].
		Moderator,
	}
}
