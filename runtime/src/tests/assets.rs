//! Datanets, models and agents as NFTs, through the real `pallet-nfts`: the three collections,
//! a sale by `set_price` and `buy_item`, the calls no one, Root included, may make, and the
//! owner history.

use frame_support::{assert_noop, assert_ok, traits::fungible::Inspect};
use sp_keyring::Sr25519Keyring;
use sp_runtime::{traits::Dispatchable, DispatchError};

use super::state_of;
use crate::{
	configs::assets::{owner_history, AssetsAccount, NftHoldings, MAX_PAST_OWNERS},
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

/// Every change of holder is in the owner history, by whatever call it came: a sale, a
/// transfer inside a batch, a burn. A transfer that fails leaves no trace, and the history
/// keeps the last `MAX_PAST_OWNERS`.
#[test]
fn the_owner_history_records_every_past_holder_and_nothing_else() {
	state_of("dev").execute_with(|| {
		let (bob, dave, eve) = (
			account(Sr25519Keyring::Bob),
			account(Sr25519Keyring::Dave),
			account(Sr25519Keyring::Eve),
		);
		let collection = AssetKind::Agent.collection();
		System::set_block_number(1);
		assert_ok!(NftHoldings::mint(AssetKind::Agent, 3, &bob));
		assert_eq!(owner_history(AssetKind::Agent, 3), vec![]);
		System::set_block_number(5);
		assert_ok!(Nfts::set_price(
			RuntimeOrigin::signed(bob.clone()),
			collection,
			3,
			Some(OPEN),
			None
		));
		assert_ok!(Nfts::buy_item(RuntimeOrigin::signed(dave.clone()), collection, 3, OPEN));
		// Eve cannot move Dave's item, and her failed attempt records nothing.
		assert_noop!(
			Nfts::transfer(RuntimeOrigin::signed(eve.clone()), collection, 3, eve.clone().into()),
			pallet_nfts::Error::<Runtime>::NoPermission
		);
		System::set_block_number(9);
		let transfer = RuntimeCall::Nfts(pallet_nfts::Call::transfer {
			collection,
			item: 3,
			dest: eve.clone().into(),
		});
		let batch = RuntimeCall::Utility(pallet_utility::Call::batch_all { calls: vec![transfer] });
		assert_ok!(batch.dispatch(RuntimeOrigin::signed(dave.clone())));
		assert_eq!(owner_history(AssetKind::Agent, 3), vec![(bob.clone(), 5), (dave.clone(), 9)]);
		System::set_block_number(12);
		assert_ok!(NftHoldings::burn(AssetKind::Agent, 3));
		assert_eq!(owner_history(AssetKind::Agent, 3).last(), Some(&(eve.clone(), 12)));
		// Another collection's items and another id are apart.
		assert_eq!(owner_history(AssetKind::Model, 3), vec![]);

		assert_ok!(NftHoldings::mint(AssetKind::Model, 1, &bob));
		let max = MAX_PAST_OWNERS as usize;
		for i in 0..max + 2 {
			let (from, to) = if i % 2 == 0 { (&bob, &dave) } else { (&dave, &bob) };
			System::set_block_number(20 + i as u32);
			assert_ok!(Nfts::transfer(
				RuntimeOrigin::signed(from.clone()),
				AssetKind::Model.collection(),
				1,
				to.clone().into()
			));
		}
		let past = owner_history(AssetKind::Model, 1);
		assert_eq!(past.len(), max);
		assert_eq!(past.first(), Some(&(bob.clone(), 22)), "the oldest two went first");
		assert_eq!(past.last(), Some(&(dave.clone(), 20 + max as u32 + 1)));
	});
}
