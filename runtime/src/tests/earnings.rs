//! A contributor's earnings and its keys: a payee moves them, a proxy that may not transfer
//! may not move them either (nor split an owner share), and a proxy named beforehand, with a delay, is the path back for
//! a lost key.

use frame_support::{assert_ok, traits::fungible::Mutate};
use sp_keyring::Sr25519Keyring;
use sp_runtime::{
	traits::{Dispatchable, Hash},
	DispatchError, MultiAddress,
};

use super::{by_proxy, last_proxied, state_of};
use crate::{
	configs::ProxyType, AccountId, Balances, Runtime, RuntimeCall, RuntimeOrigin, System, OPEN,
};
use openledger_primitives::traits::AssetKind;

fn account(k: Sr25519Keyring) -> AccountId {
	k.to_account_id()
}

fn set_payee(payee: &AccountId) -> RuntimeCall {
	RuntimeCall::Rewards(pallet_rewards::Call::set_payee { payee: Some(payee.clone()) })
}

fn move_claimable(to: &AccountId) -> RuntimeCall {
	RuntimeCall::Rewards(pallet_rewards::Call::move_claimable { to: to.clone() })
}

/// Splits model 0's owner share, all of it to `to`.
fn set_revenue_shares(to: &AccountId) -> RuntimeCall {
	RuntimeCall::Rewards(pallet_rewards::Call::set_revenue_shares {
		kind: AssetKind::Model,
		id: 0,
		parts: vec![(to.clone(), 1)].try_into().expect("one part"),
	})
}

/// Charlie's accrued earnings, as an attributed inference leaves them.
fn charlie_has_earned(charlie: &AccountId, amount: u128) {
	let pot = pallet_rewards::Pallet::<Runtime>::account();
	assert_ok!(Balances::mint_into(&pot, amount));
	pallet_rewards::Claimable::<Runtime>::insert(charlie, amount);
	pallet_rewards::TotalClaimable::<Runtime>::mutate(|t| *t += amount);
}

#[test]
fn a_non_transfer_proxy_cannot_send_a_contributors_earnings_elsewhere() {
	state_of("dev").execute_with(|| {
		System::set_block_number(1);
		let (charlie, dave) = (account(Sr25519Keyring::Charlie), account(Sr25519Keyring::Dave));
		charlie_has_earned(&charlie, OPEN);
		assert_ok!(pallet_proxy::Pallet::<Runtime>::add_proxy(
			RuntimeOrigin::signed(charlie.clone()),
			MultiAddress::Id(dave.clone()),
			ProxyType::NonTransfer,
			0,
		));
		for call in [set_payee(&dave), move_claimable(&dave), set_revenue_shares(&dave)] {
			assert_ok!(by_proxy(&charlie, call).dispatch(RuntimeOrigin::signed(dave.clone())));
			let filtered = DispatchError::from(frame_system::Error::<Runtime>::CallFiltered);
			assert_eq!(last_proxied(), Some(Err(filtered)));
		}
		assert_eq!(pallet_rewards::Payees::<Runtime>::get(&charlie), None);
		assert_eq!(pallet_rewards::Claimable::<Runtime>::get(&charlie), OPEN);
		// It may still claim them for Charlie, to Charlie.
		let claim = RuntimeCall::Rewards(pallet_rewards::Call::claim {});
		assert_ok!(by_proxy(&charlie, claim).dispatch(RuntimeOrigin::signed(dave.clone())));
		assert_eq!(last_proxied(), Some(Ok(())));
		assert_eq!(pallet_rewards::Claimable::<Runtime>::get(&charlie), 0);
	});
}

#[test]
fn a_proxy_named_beforehand_moves_a_lost_keys_earnings_after_its_delay() {
	state_of("dev").execute_with(|| {
		System::set_block_number(1);
		let (charlie, dave, ferdie) = (
			account(Sr25519Keyring::Charlie),
			account(Sr25519Keyring::Dave),
			account(Sr25519Keyring::Ferdie),
		);
		charlie_has_earned(&charlie, OPEN);
		// Beforehand: Charlie names Dave (a cold key of his) a proxy for anything, with a
		// delay of 100 blocks in which Charlie's own key could still reject an announcement.
		assert_ok!(pallet_proxy::Pallet::<Runtime>::add_proxy(
			RuntimeOrigin::signed(charlie.clone()),
			MultiAddress::Id(dave.clone()),
			ProxyType::Any,
			100,
		));
		// Charlie's key is lost. Dave announces the two calls that send his earnings to Ferdie,
		// a new wallet, and runs them once the delay has passed.
		let calls = [set_payee(&ferdie), move_claimable(&ferdie)];
		for call in &calls {
			assert_ok!(pallet_proxy::Pallet::<Runtime>::announce(
				RuntimeOrigin::signed(dave.clone()),
				MultiAddress::Id(charlie.clone()),
				<Runtime as pallet_proxy::Config>::CallHasher::hash_of(call),
			));
		}
		let proxy_announced = |call: &RuntimeCall| {
			pallet_proxy::Pallet::<Runtime>::proxy_announced(
				RuntimeOrigin::signed(dave.clone()),
				MultiAddress::Id(dave.clone()),
				MultiAddress::Id(charlie.clone()),
				None,
				Box::new(call.clone()),
			)
		};
		assert!(proxy_announced(&calls[0]).is_err(), "not before the delay");
		System::set_block_number(101);
		for call in &calls {
			assert_ok!(proxy_announced(call));
			assert_eq!(last_proxied(), Some(Ok(())));
		}
		assert_eq!(pallet_rewards::Payees::<Runtime>::get(&charlie), Some(ferdie.clone()));
		assert_eq!(pallet_rewards::Claimable::<Runtime>::get(&charlie), 0);
		assert_eq!(pallet_rewards::Claimable::<Runtime>::get(&ferdie), OPEN);
	});
}
