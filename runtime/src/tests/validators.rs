//! The validator set changes on chain, at session boundaries: a candidate (through a staking
//! proxy, its stash staying cold) enters, leaves, or is removed for authoring nothing, and
//! Aura's and GRANDPA's authorities follow.

use codec::Encode;
use frame_support::assert_ok;
use sp_keyring::Sr25519Keyring;
use sp_keystore::{testing::MemoryKeystore, KeystoreExt};
use sp_runtime::traits::Dispatchable;

use super::{by_proxy, last_proxied, open_block, state_of};
use crate::{
	configs::{
		validators::{safe_candidates, SessionBlocks, CANDIDACY_BOND},
		ProxyType,
	},
	opaque::SessionKeys,
	AccountId, BlockNumber, Executive, Runtime, RuntimeCall, RuntimeOrigin, System,
};

/// Blocks a session lasts in these tests.
const SESSION: BlockNumber = 5;

fn account(k: Sr25519Keyring) -> AccountId {
	k.to_account_id()
}

/// The dev chain with sessions of [`SESSION`] blocks and a keystore for new session keys. With
/// one invulnerable no candidate may validate safely ([`safe_candidates`]); governance allows
/// one here, as a dev chain may.
fn dev_chain() -> sp_io::TestExternalities {
	let mut ext = state_of("dev");
	ext.register_extension(KeystoreExt::new(MemoryKeystore::new()));
	ext.execute_with(|| {
		SessionBlocks::set(&SESSION);
		System::set_block_number(0);
		assert_eq!(pallet_collator_selection::DesiredCandidates::<Runtime>::get(), 0);
		assert_ok!(pallet_collator_selection::Pallet::<Runtime>::set_desired_candidates(
			RuntimeOrigin::root(),
			1
		));
	});
	ext
}

/// The accounts of the active validators, in session order.
fn validators() -> Vec<AccountId> {
	pallet_session::Validators::<Runtime>::get()
}

/// The Aura authorities' and GRANDPA authorities' counts.
fn authorities() -> (usize, usize) {
	(
		pallet_aura::Authorities::<Runtime>::get().len(),
		pallet_grandpa::Pallet::<Runtime>::grandpa_authorities().len(),
	)
}

/// Runs blocks up to `to`, each authored in a slot whose author is not in `idle` (a stopped
/// validator authors nothing).
fn run_to(to: BlockNumber, idle: &[AccountId]) {
	let mut slot = u64::from(pallet_aura::CurrentSlot::<Runtime>::get()) + 1;
	for n in System::block_number() + 1..=to {
		let set = validators();
		while idle.contains(&set[(slot % set.len() as u64) as usize]) {
			slot += 1;
		}
		open_block(n, slot);
		Executive::finalize_block();
		slot += 1;
	}
}

/// `who`'s new session keys (in the test keystore) and the proof that `owner` holds them.
fn new_keys(owner: &AccountId) -> (SessionKeys, Vec<u8>) {
	let generated = SessionKeys::generate(&owner.encode(), None);
	(generated.keys, generated.proof.encode())
}

/// Ferdie (the cold stash) names Eve its staking proxy; Eve sets Ferdie's keys and bonds his
/// candidacy.
fn ferdie_joins_through_eve() -> (AccountId, AccountId) {
	let (ferdie, eve) = (account(Sr25519Keyring::Ferdie), account(Sr25519Keyring::Eve));
	assert_ok!(pallet_proxy::Pallet::<Runtime>::add_proxy(
		RuntimeOrigin::signed(ferdie.clone()),
		sp_runtime::MultiAddress::Id(eve.clone()),
		ProxyType::Staking,
		0,
	));
	let (keys, proof) = new_keys(&ferdie);
	let set_keys = RuntimeCall::Session(pallet_session::Call::set_keys { keys, proof });
	assert_ok!(by_proxy(&ferdie, set_keys).dispatch(RuntimeOrigin::signed(eve.clone())));
	assert_eq!(last_proxied(), Some(Ok(())));
	let register =
		RuntimeCall::CollatorSelection(pallet_collator_selection::Call::register_as_candidate {});
	assert_ok!(by_proxy(&ferdie, register).dispatch(RuntimeOrigin::signed(eve.clone())));
	assert_eq!(last_proxied(), Some(Ok(())));
	(ferdie, eve)
}

#[test]
fn genesis_hands_the_invulnerables_keys_to_aura_and_grandpa() {
	state_of("local").execute_with(|| {
		let four: Vec<AccountId> = [
			Sr25519Keyring::Alice,
			Sr25519Keyring::Bob,
			Sr25519Keyring::Charlie,
			Sr25519Keyring::Dave,
		]
		.into_iter()
		.map(account)
		.collect();
		let sorted = |mut v: Vec<AccountId>| {
			v.sort();
			v
		};
		assert_eq!(sorted(validators()), sorted(four.clone()));
		let invulnerables = pallet_collator_selection::Invulnerables::<Runtime>::get();
		assert_eq!(sorted(invulnerables.into_inner()), sorted(four));
		assert_eq!(pallet_collator_selection::CandidacyBond::<Runtime>::get(), CANDIDACY_BOND);
		assert_eq!(authorities(), (4, 4));
		let alice_aura: sp_consensus_aura::sr25519::AuthorityId =
			Sr25519Keyring::Alice.public().into();
		assert!(pallet_aura::Authorities::<Runtime>::get().contains(&alice_aura));
	});
}

#[test]
fn a_candidate_set_up_by_its_staking_proxy_enters_at_the_second_boundary_and_leaves_likewise() {
	dev_chain().execute_with(|| {
		run_to(1, &[]);
		let (ferdie, eve) = ferdie_joins_through_eve();
		let reserved = pallet_balances::Pallet::<Runtime>::reserved_balance(&ferdie);
		assert!(reserved >= CANDIDACY_BOND, "the stash's own funds are bonded");
		// The proxy may not move the stash's funds.
		let transfer = RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
			dest: sp_runtime::MultiAddress::Id(eve.clone()),
			value: 1,
		});
		assert_ok!(by_proxy(&ferdie, transfer).dispatch(RuntimeOrigin::signed(eve.clone())));
		assert_eq!(
			last_proxied(),
			Some(Err(frame_system::Error::<Runtime>::CallFiltered.into())),
			"a staking proxy cannot transfer"
		);

		// Session 1 starts at block 5 with the genesis set; Ferdie is queued for session 2.
		run_to(SESSION, &[]);
		assert_eq!(validators(), vec![account(Sr25519Keyring::Alice)]);
		assert_eq!(authorities(), (1, 1));
		run_to(2 * SESSION, &[]);
		assert_eq!(validators(), vec![account(Sr25519Keyring::Alice), ferdie.clone()]);
		assert_eq!(authorities(), (2, 2), "Aura and GRANDPA follow the session");
		// Ferdie authors his slots.
		run_to(2 * SESSION + 4, &[]);
		assert!(
			pallet_collator_selection::LastAuthoredBlock::<Runtime>::get(&ferdie) > 2 * SESSION,
			"the new validator authored a block"
		);

		// Ferdie leaves: out of the candidates at once, out of the set two boundaries later,
		// his bond back.
		let leave =
			RuntimeCall::CollatorSelection(pallet_collator_selection::Call::leave_intent {});
		assert_ok!(by_proxy(&ferdie, leave).dispatch(RuntimeOrigin::signed(eve.clone())));
		assert_eq!(last_proxied(), Some(Ok(())));
		assert!(pallet_collator_selection::CandidateList::<Runtime>::get().is_empty());
		run_to(3 * SESSION, &[]);
		assert!(validators().contains(&ferdie), "still in the set until the boundary after next");
		run_to(4 * SESSION, &[]);
		assert_eq!(validators(), vec![account(Sr25519Keyring::Alice)]);
		assert_eq!(authorities(), (1, 1));
		assert_eq!(
			pallet_balances::Pallet::<Runtime>::reserved_balance(&ferdie),
			reserved - CANDIDACY_BOND
		);
	});
}

#[test]
fn a_candidate_that_authors_nothing_is_removed_and_its_bond_returned() {
	dev_chain().execute_with(|| {
		run_to(1, &[]);
		let (ferdie, _) = ferdie_joins_through_eve();
		let reserved = pallet_balances::Pallet::<Runtime>::reserved_balance(&ferdie);
		run_to(2 * SESSION, &[]);
		assert!(validators().contains(&ferdie));
		// Ferdie's node stops: he authors nothing from now on. The kick threshold is two
		// sessions from his registration's grace, checked at each boundary; he leaves the set
		// one boundary after he is removed from the candidates.
		let mut removed_at = None;
		for boundary in 3..12 {
			run_to(boundary * SESSION, &[ferdie.clone()]);
			let candidate = pallet_collator_selection::CandidateList::<Runtime>::get()
				.iter()
				.any(|c| c.who == ferdie);
			if !candidate && removed_at.is_none() {
				removed_at = Some(boundary);
			}
			if !validators().contains(&ferdie) {
				assert_eq!(Some(boundary - 1), removed_at, "out of the set at the next boundary");
				break;
			}
		}
		assert!(removed_at.is_some(), "an idle candidate is removed");
		assert!(!validators().contains(&ferdie));
		assert_eq!(authorities(), (1, 1));
		assert_eq!(
			pallet_balances::Pallet::<Runtime>::reserved_balance(&ferdie),
			reserved - CANDIDACY_BOND
		);
		// Alice, invulnerable, authored throughout.
		assert_eq!(validators(), vec![account(Sr25519Keyring::Alice)]);
	});
}

#[test]
fn a_rotated_key_takes_over_at_the_second_boundary() {
	dev_chain().execute_with(|| {
		run_to(1, &[]);
		let alice = account(Sr25519Keyring::Alice);
		let old = pallet_aura::Authorities::<Runtime>::get()[0].clone();
		let (keys, proof) = new_keys(&alice);
		let new_aura = keys.aura.clone();
		assert_ok!(pallet_session::Pallet::<Runtime>::set_keys(
			RuntimeOrigin::signed(alice.clone()),
			keys,
			proof
		));
		run_to(SESSION, &[]);
		assert_eq!(pallet_aura::Authorities::<Runtime>::get()[0], old);
		run_to(2 * SESSION, &[]);
		assert_eq!(pallet_aura::Authorities::<Runtime>::get()[0], new_aura);
		assert_eq!(authorities(), (1, 1));
		// A proof made for another account is refused, and changes nothing.
		let (keys, proof) = new_keys(&account(Sr25519Keyring::Bob));
		assert!(pallet_session::Pallet::<Runtime>::set_keys(
			RuntimeOrigin::signed(alice.clone()),
			keys,
			proof
		)
		.is_err());
		assert_eq!(pallet_aura::Authorities::<Runtime>::get()[0], new_aura);
	});
}

/// `scripts/network.sh start --session-blocks` writes the length under `:SessionBlocks:` in the
/// raw spec: that key is the one the runtime reads. Without it, sessions last 10 minutes at the
/// fast pace and an hour at the production pace.
#[test]
fn a_genesis_session_length_overrides_the_paces() {
	use crate::configs::validators::SessionLength;
	use frame_support::traits::Get;
	use openledger_primitives::time::{HOURS, MINUTES};

	let key = format!("0x{}", sp_core::hexdisplay::HexDisplay::from(&SessionBlocks::key()));
	let script = include_str!("../../../scripts/network.sh");
	assert!(script.contains(&key), "network.sh writes {key}");
	state_of("local").execute_with(|| {
		assert_eq!(SessionLength::get(), 10 * MINUTES);
		sp_io::storage::set(&SessionBlocks::key(), &12u32.encode());
		assert_eq!(SessionLength::get(), 12);
	});
	state_of("staging").execute_with(|| assert_eq!(SessionLength::get(), HOURS));
}

/// Candidates need no one's approval, so however many bond, and however much, they stay fewer
/// than a third of the set: on `local`, one of three enters beside the four invulnerables (the
/// highest bond), and the other two wait.
#[test]
fn candidates_stay_under_a_third_of_the_set_whatever_they_bond() {
	let mut ext = state_of("local");
	ext.register_extension(KeystoreExt::new(MemoryKeystore::new()));
	ext.execute_with(|| {
		SessionBlocks::set(&SESSION);
		assert_eq!(
			pallet_collator_selection::DesiredCandidates::<Runtime>::get(),
			safe_candidates(4)
		);
		assert_eq!(safe_candidates(4), 1);
		run_to(1, &[]);
		let bidders: Vec<AccountId> =
			[Sr25519Keyring::Eve, Sr25519Keyring::Ferdie, Sr25519Keyring::One]
				.into_iter()
				.map(account)
				.collect();
		for (i, who) in bidders.iter().enumerate() {
			let _ = pallet_balances::Pallet::<Runtime>::force_set_balance(
				RuntimeOrigin::root(),
				sp_runtime::MultiAddress::Id(who.clone()),
				10 * CANDIDACY_BOND,
			);
			let (keys, proof) = new_keys(who);
			assert_ok!(pallet_session::Pallet::<Runtime>::set_keys(
				RuntimeOrigin::signed(who.clone()),
				keys,
				proof
			));
			assert_ok!(pallet_collator_selection::Pallet::<Runtime>::register_as_candidate(
				RuntimeOrigin::signed(who.clone())
			));
			// Each bids more than the last.
			assert_ok!(pallet_collator_selection::Pallet::<Runtime>::update_bond(
				RuntimeOrigin::signed(who.clone()),
				CANDIDACY_BOND * (2 + i as u128)
			));
		}
		run_to(2 * SESSION, &[]);
		let set = validators();
		assert_eq!(set.len(), 5, "four invulnerables and one candidate");
		assert_eq!(bidders.iter().filter(|b| set.contains(b)).count(), 1);
		assert!(set.contains(&bidders[2]), "the highest bond");
		assert_eq!(authorities(), (5, 5));
	});
}
