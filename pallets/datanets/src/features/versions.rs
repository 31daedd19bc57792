//! Publishing versions: frozen prefixes of the accepted log.

use frame_support::{
	ensure,
	traits::{Defensive, DefensiveOption},
};
use sp_runtime::DispatchError;

use crate::*;

impl<T: Config> Pallet<T> {
	/// Publishes a version; returns its number.
	pub fn do_publish_version(
		who: T::AccountId,
		datanet: DatanetId,
		count: u32,
	) -> Result<VersionIndex, DispatchError> {
		let mut net = Self::ensure_owner(&who, datanet)?;
		// Versions `1..=net.versions` are stored (`try_state`), and never removed.
		let previous = match net.versions {
			0 => 0,
			v => Versions::<T>::get(datanet, v).map(|info| info.count).defensive_unwrap_or(0),
		};
		ensure!(count > previous && count <= net.accepted, Error::<T>::InvalidVersionCount);
		// `1 <= count <= net.accepted`, and the log is dense up to `net.accepted` (`try_state`).
		let entry = AcceptedLog::<T>::get(datanet, count - 1)
			.defensive_ok_or(Error::<T>::InvalidVersionCount)?;
		let version = net.versions.checked_add(1).ok_or(Error::<T>::Overflow)?;
		net.versions = version;
		let info = VersionInfo {
			count,
			root: entry.root,
			block: frame_system::Pallet::<T>::block_number(),
		};
		Versions::<T>::insert(datanet, version, info);
		Datanets::<T>::insert(datanet, net);
		Self::deposit_event(Event::VersionPublished { datanet, version, count, root: entry.root });
		Ok(version)
	}
}
