//! Datanets, models and agents as NFTs: `pallet-nfts`, its three collections, and what the
//! data layer's pallets read through [`Holdings`].
//!
//! - **Collections**: 0 holds the Datanets, 1 the models, 2 the agents ([`AssetKind`]); an
//!   asset's item has the asset's id. They are created, all three, the first time an asset is
//!   minted, owned and administered by a keyless account, [`AssetsAccount`].
//! - **No one else creates collections** (`CreateOrigin` accepts no one): the ids are the
//!   protocol's, and a collection created first by someone else, collection 0 among them
//!   since `pallet-nfts` counts from 0, would put our items in a stranger's collection.
//! - **No one forces** (`ForceOrigin` accepts no one, Root included): `pallet-nfts`' force
//!   calls would let Root burn an asset's item, or hand a collection to someone, outside the
//!   data layer's rules, and the asset would be left without an owner. (Root can still change
//!   anything by a runtime upgrade or `system.setStorage`, in the open.)
//! - **Holders** transfer, approve, lock and sell their items with `pallet-nfts`' own calls
//!   (`transfer`, `approve_transfer`, `set_price`, `buy_item`, ...), which wallets and
//!   explorers already know. No one burns an item ([`AssetCalls`]): an asset always has a
//!   holder, and its item goes only by the data layer's own rules (a model retires and stays;
//!   an agent's item is burned when its bond is withdrawn and the agent deleted).
//! - **Owner history**: every holder an asset had before its current one, with the block its
//!   holding ended ([`OwnerHistory`], the last [`MAX_PAST_OWNERS`]; `assetsApi.ownerHistory`).
//!   `pallet-nfts` offers one hook into every change of holder, its `Locker`, which it asks
//!   before each transfer (`transfer`, `buy_item`, `claim_swap`) and burn, while the item still
//!   has its old holder: [`OwnerLog`] answers "not locked" and records that holder. A transfer
//!   that fails after the question is rolled back with the record.
//! - **Deposits**: `pallet-nfts` takes none for our items or collections; each pallet holds
//!   its own deposit from the registrant, and keeps it there when the item changes hands (see
//!   `pallet_models`).

use frame_support::{
	parameter_types,
	traits::{
		tokens::{
			nonfungibles_v2::{Create, Inspect, Mutate},
			Locker,
		},
		AsEnsureOriginWithArg, ConstU32, Contains,
	},
	BoundedVec, PalletId,
};
use frame_system::EnsureNever;
use pallet_nfts::{CollectionConfig, CollectionSettings, ItemConfig, MintSettings, PalletFeatures};
use sp_runtime::{
	traits::{AccountIdConversion, Verify},
	DispatchResult,
};

use super::monetary::DEPOSIT_PER_BYTE;
use crate::{
	AccountId, Balance, Balances, BlockNumber, Nfts, Runtime, RuntimeCall, RuntimeEvent, Signature,
	System,
};
use openledger_primitives::traits::{AssetKind, Holdings};

parameter_types! {
	pub const AssetsPalletId: PalletId = PalletId(*b"ol/asset");
	/// Every feature: trading, attributes, approvals and swaps.
	pub Features: PalletFeatures = PalletFeatures::all_enabled();
	pub const MetadataDepositBase: Balance = 68 * DEPOSIT_PER_BYTE;
	pub const AttributeDepositBase: Balance = 68 * DEPOSIT_PER_BYTE;
	pub const NftDepositPerByte: Balance = DEPOSIT_PER_BYTE;
}

/// The keyless account that owns and administers the three collections: no one signs for it.
pub struct AssetsAccount;

impl frame_support::traits::Get<AccountId> for AssetsAccount {
	fn get() -> AccountId {
		AssetsPalletId::get().into_account_truncating()
	}
}

impl pallet_nfts::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type CollectionId = u32;
	type ItemId = u32;
	type Currency = Balances;
	type ForceOrigin = EnsureNever<()>;
	type CreateOrigin = AsEnsureOriginWithArg<EnsureNever<AccountId>>;
	type Locker = OwnerLog;
	type CollectionDeposit = ();
	type ItemDeposit = ();
	type MetadataDepositBase = MetadataDepositBase;
	type AttributeDepositBase = AttributeDepositBase;
	type DepositPerByte = NftDepositPerByte;
	type StringLimit = ConstU32<256>;
	type KeyLimit = ConstU32<64>;
	type ValueLimit = ConstU32<256>;
	type ApprovalsLimit = ConstU32<20>;
	type ItemAttributesApprovalsLimit = ConstU32<20>;
	type MaxTips = ConstU32<10>;
	type MaxDeadlineDuration = ConstU32<{ 30 * crate::DAYS }>;
	type MaxAttributesPerCall = ConstU32<10>;
	type Features = Features;
	type OffchainSignature = Signature;
	type OffchainPublic = <Signature as Verify>::Signer;
	type WeightInfo = pallet_nfts::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type Helper = ();
	type BlockNumberProvider = crate::System;
}

/// How many past holders [`OwnerHistory`] keeps per asset; the oldest go first.
pub const MAX_PAST_OWNERS: u32 = 32;

/// The past holders of each asset's item, by collection and item, oldest first: each with the
/// block in which its holding ended (the next holder's holding began there).
#[frame_support::storage_alias]
pub type OwnerHistory = StorageDoubleMap<
	OpenLedgerAssets,
	frame_support::Twox64Concat,
	u32,
	frame_support::Twox64Concat,
	u32,
	BoundedVec<(AccountId, BlockNumber), ConstU32<MAX_PAST_OWNERS>>,
	frame_support::pallet_prelude::ValueQuery,
>;

/// `pallet-nfts`' `Locker`: it locks nothing, and records the holder of an item of the three
/// collections that is about to be transferred or burned in [`OwnerHistory`] (see the module's
/// doc). Not weighed by `pallet-nfts`' benchmarks: one read and one write of at most
/// `MAX_PAST_OWNERS` entries more per transfer of our items.
pub struct OwnerLog;

impl Locker<u32, u32> for OwnerLog {
	fn is_locked(collection: u32, item: u32) -> bool {
		let ours = AssetKind::ALL.iter().any(|k| k.collection() == collection);
		if let Some(holder) = ours.then(|| Nfts::owner(collection, item)).flatten() {
			OwnerHistory::mutate(collection, item, |past| {
				let entry = (holder, System::block_number());
				if past.is_full() {
					past.remove(0);
				}
				// Not full: the oldest entry was just removed.
				let _ = past.try_push(entry);
			});
		}
		false
	}
}

/// The past holders of asset `id` of `kind`, oldest first, each with the block in which its
/// holding ended.
pub fn owner_history(kind: AssetKind, id: u32) -> alloc::vec::Vec<(AccountId, BlockNumber)> {
	OwnerHistory::get(kind.collection(), id).into_inner()
}

/// The calls no one may make: burning an item of the three collections.
pub struct AssetCalls;

impl Contains<RuntimeCall> for AssetCalls {
	fn contains(call: &RuntimeCall) -> bool {
		let ours = |collection: &u32| AssetKind::ALL.iter().any(|k| k.collection() == *collection);
		!matches!(call, RuntimeCall::Nfts(pallet_nfts::Call::burn { collection, .. }) if ours(collection))
	}
}

/// [`Holdings`] over `pallet-nfts`.
pub struct NftHoldings;

impl NftHoldings {
	/// Creates the three collections if they do not exist yet, and moves `pallet-nfts`' next
	/// collection id past them.
	fn ensure_collections() -> DispatchResult {
		let owner = <AssetsAccount as frame_support::traits::Get<AccountId>>::get();
		for kind in AssetKind::ALL {
			let collection = kind.collection();
			if pallet_nfts::Collection::<Runtime>::contains_key(collection) {
				continue;
			}
			let config = CollectionConfig {
				settings: CollectionSettings::all_enabled(),
				max_supply: None,
				mint_settings: MintSettings::default(),
			};
			<Nfts as Create<AccountId, _>>::create_collection_with_id(
				collection, &owner, &owner, &config,
			)?;
		}
		let past = AssetKind::ALL.len() as u32;
		if pallet_nfts::NextCollectionId::<Runtime>::get().is_none_or(|next| next < past) {
			pallet_nfts::NextCollectionId::<Runtime>::put(past);
		}
		Ok(())
	}
}

impl Holdings<AccountId> for NftHoldings {
	fn mint(kind: AssetKind, id: u32, owner: &AccountId) -> DispatchResult {
		Self::ensure_collections()?;
		<Nfts as Mutate<AccountId, ItemConfig>>::mint_into(
			&kind.collection(),
			&id,
			owner,
			&ItemConfig::default(),
			true,
		)
	}

	fn burn(kind: AssetKind, id: u32) -> DispatchResult {
		<Nfts as Mutate<AccountId, ItemConfig>>::burn(&kind.collection(), &id, None)
	}

	fn holder(kind: AssetKind, id: u32) -> Option<AccountId> {
		<Nfts as Inspect<AccountId>>::owner(&kind.collection(), &id)
	}

	fn items(kind: AssetKind) -> alloc::vec::Vec<u32> {
		pallet_nfts::Item::<Runtime>::iter_key_prefix(kind.collection()).collect()
	}
}
