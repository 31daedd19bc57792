//! Datanets, models and agents as NFTs, through the real `pallet-nfts`: the three collections,
//! a sale by `set_price` and `buy_item`, and the calls no one, Root included, may make.

use frame_support::{assert_noop, assert_ok, traits::fungible::Inspect};
use sp_keyring::Sr25519Keyring;
use sp_runtime::{traits::Dispatchable, DispatchError};

use super::state_of;
use crate::{
	configs::assets::{AssetsAccount, NftHoldings},
	AccountId, Balances, Nfts, Runtime, RuntimeCall, RuntimeOrigin, System, OPEN,
};
use openledger_primitives::traits::{AssetKind, Holdings};

fn account(k: Sr25519Keyring) -> AccountId {
	k.to_account_id()
}

#[test]
fn a_model_is_sold_by_pallet_nfts_price_and_buy_calls() {
	state_of("dev").execute_with(|| {
		System::set_block_number(1);
		let (bob, dave) = (account(Sr25519Keyring::Bob), account(Sr25519Keyring::Dave));
		assert_ok!(NftHoldings::mint(AssetKind::Model, 0, &bob));
		// The first mint made all three collections, owned by the keyless account, and moved
		// pallet-nfts' counter past them.
		for kind in AssetKind::ALL {
			let owner = <Nfts as frame_support::traits::tokens::nonfungibles_v2::Inspect<
				AccountId,
			>>::collection_owner(&kind.collection());
			assert_eq!(owner, Some(<AssetsAccount as frame_support::traits::Get<_>>::get()));
		}
		assert_eq!(pallet_nfts::NextCollectionId::<Runtime>::get(), Some(3));
		assert_eq!(NftHoldings::holder(AssetKind::Model, 0), Some(bob.clone()));
		assert_noop!(
			NftHoldings::mint(AssetKind::Model, 0, &dave),
			pallet_nfts::Error::<Runtime>::AlreadyExists
		);

		let price = 5 * OPEN;
		let collection = AssetKind::Model.collection();
		assert_ok!(Nfts::set_price(
			RuntimeOrigin::signed(bob.clone()),
			collection,
			0,
			Some(price),
			None
		));
		let (bob_before, dave_before) = (Balances::balance(&bob), Balances::balance(&dave));
		assert_noop!(
			Nfts::buy_item(RuntimeOrigin::signed(dave.clone()), collection, 0, price - 1),
			pallet_nfts::Error::<Runtime>::BidTooLow
		);
		assert_ok!(Nfts::buy_item(RuntimeOrigin::signed(dave.clone()), collection, 0, price));
		assert_eq!(NftHoldings::holder(AssetKind::Model, 0), Some(dave.clone()));
		assert_eq!(Balances::balance(&bob), bob_before + price);
		assert_eq!(Balances::balance(&dave), dave_before - price);
		assert_eq!(NftHoldings::items(AssetKind::Model), vec![0]);
	});
}

#[test]
fn no_one_burns_an_asset_or_makes_a_collection() {
	state_of("dev").execute_with(|| {
		System::set_block_number(1);
		let bob = account(Sr25519Keyring::Bob);
		assert_ok!(NftHoldings::mint(AssetKind::Agent, 4, &bob));
		let burn = RuntimeCall::Nfts(pallet_nfts::Call::burn {
			collection: AssetKind::Agent.collection(),
			item: 4,
		});
		let filtered = DispatchError::from(frame_system::Error::<Runtime>::CallFiltered);
		assert_eq!(
			burn.dispatch(RuntimeOrigin::signed(bob.clone())).map_err(|e| e.error),
			Err(filtered)
		);
		assert_eq!(NftHoldings::holder(AssetKind::Agent, 4), Some(bob.clone()));
		// Nor Root, past the filter (as `sudo` dispatches): pallet-nfts' force origin is no
		// one. The fuzzer found this, through `sudo(nfts.burn)`.
		assert_noop!(
			Nfts::burn(RuntimeOrigin::root(), AssetKind::Agent.collection(), 4),
			DispatchError::BadOrigin
		);
		// Nor may a signed account create a collection: the ids are the protocol's.
		let config = pallet_nfts::CollectionConfig {
			settings: Default::default(),
			max_supply: None,
			mint_settings: Default::default(),
		};
		assert_noop!(
			Nfts::create(
				RuntimeOrigin::signed(bob.clone()),
				sp_runtime::MultiAddress::Id(bob),
				config
			),
			DispatchError::BadOrigin
		);
	});
}
