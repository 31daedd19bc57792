//! The runtime fuzzer: seeded random sequences of calls of every pallet (ours, balances,
//! utility, sudo, referenda and conviction voting) against the real runtime in
//! `TestExternalities`, from the `local` preset's genesis (four attestors in one committee).
//!
//! - **Calls** are applied as signed transactions through the runtime's own transaction
//!   extensions (nonce, weight, `CheckAttestation`, fee payment, weight reclaim) and its
//!   `Executive` block hooks, from random well-known accounts and two that own nothing. Root's
//!   calls go through `sudo.sudo`, signed by Alice, the local chain's sudo key. Ids are drawn
//!   from those that exist and a few beyond, amounts from a small range and from extremes, and
//!   payloads are sometimes malformed. Signatures are not made or checked (the client's part,
//!   and slow in debug builds); everything after the signature check is the runtime's own path.
//! - **Attestors** are played by the fuzzer with a mock engine: each member of an open job's
//!   committee commits, most of the time, to a deterministic outcome (sometimes to a lie), and
//!   reveals it in the reveal round, in single calls or in batches.
//! - **Governance**: referenda on the Root track (a remark) are submitted, given their decision
//!   deposit and voted on, half the votes by a holder of 80% of an endowment, so that some pass
//!   within the `local` chain's fast pace and the scheduler enacts them; the 20,000-call run
//!   checks that at least one did.
//! - **Blocks** are initialised with an Aura slot and finalised between calls, a few calls to
//!   a block.
//!
//! After every block it checks: total issuance equals the sum of all accounts' balances, and
//! changed by exactly what the balances events say was minted, issued, burned or rescinded
//! (fees burned, slashes, emission); every custom pallet's invariants (`do_try_state`: every
//! hold equals the deposits recorded for it, the rewards pot covers every claimable balance,
//! and the rest); block weight within its limits per class and in total (but for a session's
//! rotation, which claims the whole block). A panic anywhere fails
//! too. A run is made of sequences of 2,000 calls, each from a fresh genesis, so that its time
//! grows linearly; the sequences are played on one thread per core.
//!
//! A failure prints the seed, the sequence and its last calls, then shrinks the sequence: it
//! replays it without the blocks after the failure, then without chunks of the users' calls,
//! halving down to single calls, keeping each removal after which it still fails alike (up to
//! 400 replays). The attestors are drawn again on each replay, from dice of their own for each
//! block, and answer whatever jobs the calls left open. It prints the shrunk sequence whole.
//!
//! `cargo test -p openledger-runtime fuzz` runs 20,000 calls with a fixed seed;
//! `scripts/fuzz.sh --calls N --seed S` runs more, from the same test build.

use alloc::{boxed::Box, format, string::String, vec, vec::Vec};
use codec::Encode;
use frame_support::{
	dispatch::{DispatchClass, GetDispatchInfo},
	BoundedVec,
};
use openledger_primitives::{
	attribution::{RecordShare, TrainOutcome},
	datanets::{CurationPolicy, Schema},
	models::{Architecture, AttributionMethod, Featurizer, ModelSpec, SpecCost},
	rewards::RewardSplit,
	traits::AssetKind,
};
use pallet_attribution::types::{Outcome, Params};
use sp_core::H256;
use sp_io::hashing::blake2_256;
use sp_keyring::Sr25519Keyring;
use sp_runtime::{
	generic::{CheckedExtrinsic, ExtrinsicFormat},
	traits::Applyable,
	Perbill,
};

use crate::{
	AccountId, Balance, BlockNumber, Executive, Runtime, RuntimeCall, RuntimeEvent, System,
	TxExtension, OPEN,
};

/// splitmix64: small, fast and the same everywhere.
struct Rng(u64);

impl Rng {
	fn next(&mut self) -> u64 {
		self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
		let mut z = self.0;
		z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
		z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
		z ^ (z >> 31)
	}
	fn below(&mut self, n: u64) -> u64 {
		if n == 0 {
			0
		} else {
			self.next() % n
		}
	}
	fn chance(&mut self, percent: u64) -> bool {
		self.below(100) < percent
	}
	fn pick<'a, X>(&mut self, xs: &'a [X]) -> &'a X {
		&xs[self.below(xs.len() as u64) as usize]
	}
	fn bytes(&mut self, n: usize) -> Vec<u8> {
		(0..n).map(|_| self.next() as u8).collect()
	}
	/// Up to `max` random bytes.
	fn some_bytes(&mut self, max: u64) -> Vec<u8> {
		let n = self.below(max + 1) as usize;
		self.bytes(n)
	}
}

/// The accounts that sign: the well-known ones, and two that hold nothing.
fn accounts() -> Vec<AccountId> {
	let mut all: Vec<AccountId> = Sr25519Keyring::iter().map(|k| k.to_account_id()).collect();
	all.push(AccountId::from([0xaa; 32]));
	all.push(AccountId::from([0xbb; 32]));
	all
}

fn alice() -> AccountId {
	Sr25519Keyring::Alice.to_account_id()
}

/// An id among the first `next` ones, or a little past them.
fn id(rng: &mut Rng, next: u64) -> u64 {
	rng.below(next + 2)
}

/// An amount: small, in the range of the chain's deposits and fees, or an extreme.
fn amount(rng: &mut Rng) -> Balance {
	match rng.below(10) {
		0 => 0,
		1 => Balance::MAX,
		2 => rng.below(1_000) as Balance,
		3..=6 => rng.below(100) as Balance * OPEN / 10,
		_ => rng.below(10_000) as Balance * OPEN,
	}
}

fn schema(rng: &mut Rng) -> Schema {
	if rng.chance(50) {
		Schema::Text { classes: rng.below(5) as u16 }
	} else {
		Schema::Dense {
			dims: rng.below(6) as u16,
			classes: rng.below(5) as u16,
			max_value: rng.below(20) as u8,
		}
	}
}

/// A payload and label for `datanet`: mostly valid for its schema, sometimes not.
fn record(rng: &mut Rng, datanet: u32) -> (Vec<u8>, u16) {
	let s = pallet_datanets::Datanets::<Runtime>::get(datanet).map(|d| d.schema);
	let valid = rng.chance(80);
	match (s, valid) {
		(Some(Schema::Dense { dims, classes, max_value }), true) => {
			let payload = (0..dims).map(|_| rng.below(u64::from(max_value) + 1) as u8).collect();
			(payload, rng.below(classes.into()) as u16)
		},
		(Some(Schema::Text { classes }), true) => {
			let len = 1 + rng.below(40) as usize;
			let text = (0..len).map(|_| b'a' + rng.below(26) as u8).collect();
			(text, rng.below(classes.into()) as u16)
		},
		_ => {
			let len = match rng.below(4) {
				0 => 0,
				1 => 2049,
				_ => rng.below(70) as usize,
			};
			(rng.bytes(len), rng.below(12) as u16)
		},
	}
}

fn spec(rng: &mut Rng) -> ModelSpec {
	ModelSpec {
		featurizer: match rng.below(5) {
			0 | 1 => Featurizer::Raw,
			2 => Featurizer::Words,
			_ => Featurizer::HashedNgrams { dims: rng.below(128) as u32 },
		},
		architecture: match rng.below(5) {
			0 => Architecture::SoftmaxRegression,
			1 => Architecture::Mlp1 { hidden: rng.below(40) as u16 },
			2 => Architecture::InfiniGram { max_tokens: rng.below(300) as u16 },
			3 => Architecture::External {
				weights_hash: sp_core::H256::repeat_byte(rng.below(256) as u8),
				min_span_tokens: rng.below(80) as u16,
			},
			_ => Architecture::Mlp2 { hidden: [rng.below(20) as u16, rng.below(20) as u16] },
		},
		epochs: rng.below(30) as u16,
		learning_rate: Perbill::from_parts(rng.below(200_000_000) as u32),
		batch_size: rng.below(64) as u16,
		l2: Perbill::from_parts(rng.below(1_000_000) as u32),
		seed: rng.next(),
		method: if rng.below(4) == 0 {
			AttributionMethod::Replay
		} else {
			AttributionMethod::Influence
		},
	}
}

/// A record of `datanet` that exists (if it has one), or a random hash.
fn record_hash(rng: &mut Rng, datanet: u32) -> H256 {
	let skip = rng.below(4) as usize;
	pallet_datanets::Records::<Runtime>::iter_key_prefix(datanet)
		.nth(skip)
		.unwrap_or_else(|| H256::from_low_u64_be(rng.next()))
}

/// A report of an early answer to a random inference: two times in three signed by the
/// reported account's key (when it has one) over the inference's request, so that a lie about a
/// paid-out result can be judged; otherwise a signature of random bytes.
fn report_answer(
	rng: &mut Rng,
	who: &[AccountId],
	inferences: u64,
) -> pallet_attribution::Call<Runtime> {
	let inference = id(rng, inferences);
	let attestor = rng.pick(who).clone();
	let outcome = H256::from_low_u64_be(rng.next());
	let request = pallet_attribution::Requests::<Runtime>::get(inference)
		.map(|r| r.extrinsic)
		.unwrap_or_default();
	let key = Sr25519Keyring::iter().find(|k| k.to_account_id() == attestor);
	let signature = match (key, rng.below(3)) {
		(Some(k), 0 | 1) => k.sign(&pallet_attribution::answer_payload(request, outcome)),
		_ => sp_core::sr25519::Signature::from_raw([rng.below(256) as u8; 64]),
	};
	pallet_attribution::Call::report_answer {
		inference,
		attestor,
		outcome,
		signature: crate::Signature::Sr25519(signature),
	}
}

/// One random call, of any pallet; `root` says whether it goes through `sudo`.
fn random_call(rng: &mut Rng, who: &[AccountId]) -> (RuntimeCall, bool) {
	use frame_support::traits::StorePreimage;
	let datanets = u64::from(pallet_datanets::NextDatanetId::<Runtime>::get());
	let models = u64::from(pallet_models::NextModelId::<Runtime>::get());
	let agents = u64::from(pallet_agents::NextAgentId::<Runtime>::get());
	let inferences = pallet_agents::NextInferenceId::<Runtime>::get();
	let net = id(rng, datanets) as u32;
	let account = rng.pick(who).clone();
	let call: RuntimeCall = match rng.below(42) {
		0..=2 => RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
			dest: account.into(),
			value: amount(rng),
		}),
		3 => RuntimeCall::Balances(pallet_balances::Call::transfer_allow_death {
			dest: account.into(),
			value: amount(rng),
		}),
		4..=5 => RuntimeCall::Datanets(pallet_datanets::Call::create {
			name: rng.some_bytes(8),
			description: vec![],
			license: b"CC0-1.0".to_vec(),
			schema: schema(rng),
			policy: if rng.chance(50) { CurationPolicy::Open } else { CurationPolicy::Curated },
		}),
		6..=9 => {
			let (payload, label) = record(rng, net);
			RuntimeCall::Datanets(pallet_datanets::Call::contribute {
				datanet: net,
				payload,
				label,
			})
		},
		10 => {
			let n = rng.below(6) as usize;
			let records: Vec<_> = (0..n).map(|_| record(rng, net)).collect();
			RuntimeCall::Datanets(pallet_datanets::Call::contribute_batch {
				datanet: net,
				records: records.try_into().unwrap_or_default(),
			})
		},
		11 => RuntimeCall::Datanets(pallet_datanets::Call::review {
			datanet: net,
			record: record_hash(rng, net),
			accept: rng.chance(70),
		}),
		12 => RuntimeCall::Datanets(pallet_datanets::Call::withdraw {
			datanet: net,
			record: record_hash(rng, net),
		}),
		13 => RuntimeCall::Datanets(pallet_datanets::Call::remove {
			datanet: net,
			record: record_hash(rng, net),
		}),
		14..=15 => RuntimeCall::Datanets(pallet_datanets::Call::publish_version {
			datanet: net,
			count: rng.below(8) as u32,
		}),
		16 => RuntimeCall::Datanets(if rng.chance(50) {
			pallet_datanets::Call::add_curator { datanet: net, curator: account }
		} else {
			pallet_datanets::Call::remove_curator { datanet: net, curator: account }
		}),
		17 => RuntimeCall::Models(pallet_models::Call::register {
			datanet: net,
			version: rng.below(3) as u32,
			spec: spec(rng),
			fee: amount(rng),
			metadata: vec![],
		}),
		18 => {
			// Up to one more source than the runtime allows, of any Datanet, version and
			// weight.
			let n = rng.below(u64::from(crate::configs::data::MAX_MODEL_SOURCES) + 2) as usize;
			let mix: Vec<_> = (0..n)
				.map(|_| (id(rng, datanets) as u32, rng.below(3) as u32, rng.below(10) as u8))
				.collect();
			RuntimeCall::Models(pallet_models::Call::register_mix {
				mix: BoundedVec::truncate_from(mix),
				spec: spec(rng),
				fee: amount(rng),
				metadata: vec![],
			})
		},
		19 => {
			let model = id(rng, models) as u32;
			RuntimeCall::Models(match rng.below(4) {
				0 => pallet_models::Call::set_fee { model, fee: amount(rng) },
				1 => pallet_models::Call::retire { model },
				2 => pallet_models::Call::force_retire { model },
				_ => pallet_models::Call::set_cost_limit {
					limit: SpecCost {
						bytes: rng.next() >> rng.below(64),
						flops: rng.next(),
						query_flops: rng.next() >> rng.below(64),
					},
				},
			})
		},
		20..=21 => RuntimeCall::Agents(pallet_agents::Call::register {
			model: id(rng, models) as u32,
			metadata: rng.some_bytes(4),
			fee: amount(rng),
		}),
		22..=25 => {
			let agent = id(rng, agents) as u32;
			let datanet = pallet_agents::Agents::<Runtime>::get(agent)
				.and_then(|a| pallet_models::Models::<Runtime>::get(a.model))
				.and_then(|m| m.datanet())
				.unwrap_or(net);
			let (input, _) = record(rng, datanet);
			RuntimeCall::Agents(pallet_agents::Call::invoke {
				agent,
				input,
				max_fee: if rng.chance(80) { 1_000 * OPEN } else { amount(rng) },
			})
		},
		26 => {
			let agent = id(rng, agents) as u32;
			RuntimeCall::Agents(match rng.below(6) {
				0 => pallet_agents::Call::set_fee { agent, fee: amount(rng) },
				1 => pallet_agents::Call::set_metadata { agent, metadata: rng.bytes(3) },
				2 => pallet_agents::Call::unregister { agent },
				3 => pallet_agents::Call::withdraw_bond { agent },
				4 => pallet_agents::Call::slash {
					agent,
					fraction: Perbill::from_parts(rng.below(1_000_000_001) as u32),
				},
				_ => pallet_agents::Call::set_min_fee { fee: amount(rng) },
			})
		},
		27..=28 => RuntimeCall::Attribution(match rng.below(6) {
			0 => pallet_attribution::Call::bond { amount: amount(rng) },
			1 => pallet_attribution::Call::unbond {},
			2 => pallet_attribution::Call::withdraw_unbonded {},
			3 => pallet_attribution::Call::challenge { inference: id(rng, inferences) },
			4 => report_answer(rng, who, inferences),
			_ => pallet_attribution::Call::commit {
				job: id(rng, pallet_attribution::NextJobId::<Runtime>::get()),
				commitment: H256::from_low_u64_be(rng.next()),
			},
		}),
		29 => RuntimeCall::Attribution(match rng.below(4) {
			0 => pallet_attribution::Call::set_params {
				params: Params {
					max_strikes: rng.below(12) as u32,
					committee_size: rng.below(6) as u32,
					engine_version: rng.below(6) as u32,
					watch_sample: Perbill::from_percent(rng.below(101) as u32),
					retention: rng.below(20) as u32,
				},
			},
			1 => pallet_attribution::Call::add_attestor { attestor: account },
			2 => pallet_attribution::Call::remove_attestor { attestor: account },
			_ => pallet_attribution::Call::reinstate { attestor: account },
		}),
		30..=31 => RuntimeCall::Rewards(match rng.below(12) {
			0..=5 => pallet_rewards::Call::claim {},
			6..=7 => pallet_rewards::Call::claim_for { who: account },
			8 => pallet_rewards::Call::set_payee { payee: rng.chance(80).then_some(account) },
			9 => pallet_rewards::Call::move_claimable { to: account },
			10 => pallet_rewards::Call::set_revenue_shares {
				kind: AssetKind::ALL[rng.below(3) as usize],
				id: rng.below(4) as u32,
				parts: (0..rng.below(4))
					.map(|_| (rng.pick(who).clone(), rng.below(3) as u32))
					.collect::<Vec<_>>()
					.try_into()
					.unwrap_or_default(),
			},
			_ => pallet_rewards::Call::settle_revenue {
				kind: AssetKind::ALL[rng.below(3) as usize],
				id: rng.below(4) as u32,
			},
		}),
		32 => RuntimeCall::Rewards(if rng.chance(50) {
			let mut parts = [0u32; 5];
			let mut left = 1_000_000_000u64;
			for p in parts.iter_mut().take(4) {
				let x = rng.below(left + 1);
				*p = x as u32;
				left -= x;
			}
			parts[4] = left as u32 + if rng.chance(10) { 1 } else { 0 };
			let [a, b, c, d, e] = parts.map(Perbill::from_parts);
			pallet_rewards::Call::set_reward_split {
				split: RewardSplit {
					contributors: a,
					model_owner: b,
					agent: c,
					attestors: d,
					treasury: e,
				},
			}
		} else {
			pallet_rewards::Call::set_emission { emission: amount(rng) }
		}),
		33 => {
			let n = rng.below(4) as usize;
			let calls = (0..n).map(|_| random_call(rng, who).0).collect();
			RuntimeCall::Utility(if rng.chance(50) {
				pallet_utility::Call::batch { calls }
			} else {
				pallet_utility::Call::batch_all { calls }
			})
		},
		34..=35 => {
			let inner = RuntimeCall::System(frame_system::Call::remark { remark: rng.bytes(4) });
			let proposal = <Runtime as pallet_referenda::Config>::Preimages::bound(inner)
				.expect("a remark fits inline");
			RuntimeCall::Referenda(pallet_referenda::Call::submit {
				proposal_origin: Box::new(frame_system::RawOrigin::Root.into()),
				proposal,
				enactment_moment: frame_support::traits::schedule::DispatchTime::After(1),
			})
		},
		36 => RuntimeCall::Referenda(pallet_referenda::Call::place_decision_deposit {
			index: id(rng, pallet_referenda::ReferendumCount::<Runtime>::get().into()) as u32,
		}),
		37..=38 => RuntimeCall::ConvictionVoting(pallet_conviction_voting::Call::vote {
			poll_index: id(rng, pallet_referenda::ReferendumCount::<Runtime>::get().into()) as u32,
			vote: pallet_conviction_voting::AccountVote::Standard {
				vote: pallet_conviction_voting::Vote {
					aye: rng.chance(60),
					conviction: pallet_conviction_voting::Conviction::Locked1x,
				},
				// Often a holder of much of the supply, so that referenda reach the Root track's
				// support and pass (each well-known account holds 1,000,000 OPEN).
				balance: if rng.chance(50) { 800_000 * OPEN } else { amount(rng) },
			},
		}),
		40..=41 => {
			// The asset collections and one past them; models' items are the likeliest to
			// exist.
			let collection = rng.below(4) as u32;
			let item = id(rng, pallet_models::NextModelId::<Runtime>::get().into()) as u32;
			RuntimeCall::Nfts(match rng.below(4) {
				0 => pallet_nfts::Call::transfer { collection, item, dest: account.into() },
				1 => pallet_nfts::Call::set_price {
					collection,
					item,
					price: rng.chance(80).then(|| amount(rng)),
					whitelisted_buyer: None,
				},
				2 => pallet_nfts::Call::buy_item { collection, item, bid_price: amount(rng) },
				_ => pallet_nfts::Call::burn { collection, item },
			})
		},
		_ => RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
			dest: account.into(),
			value: rng.below(10) as Balance * OPEN,
		}),
	};
	(call, rng.chance(10))
}

/// The mock engine's answer to a job: a model's outcome from its id; an inference's label 0
/// with equal shares on the version's first records (up to 4). A liar names record 0 alone.
fn mock_outcome(job: &pallet_attribution::types::Job<Runtime>, lie: bool) -> Outcome {
	use pallet_attribution::types::JobKind;
	match job.kind {
		JobKind::Train { model } => Outcome::Train(TrainOutcome {
			engine_version: 1,
			accuracy: Perbill::from_percent(if lie { 99 } else { 90 }),
			weights_hash: H256::from_low_u64_be(u64::from(model) + u64::from(lie)),
			records: 1,
			held_out: 0,
			flags: Default::default(),
		}),
		JobKind::Infer { model, .. } | JobKind::Recheck { model, .. } => {
			let count = pallet_models::Models::<Runtime>::get(model)
				.and_then(|m| openledger_primitives::models::positions(&m.sources))
				.unwrap_or(0);
			let k = if lie { count.min(1) } else { count.min(4) };
			let parts = openledger_primitives::attribution::largest_remainder(&vec![1; k as usize]);
			Outcome::Infer {
				engine_version: 1,
				label: 0,
				confidence: Perbill::from_percent(80),
				shares: parts
					.into_iter()
					.enumerate()
					.map(|(i, p)| RecordShare {
						record: i as u32,
						share: Perbill::from_parts(p as u32),
					})
					.collect(),
			}
		},
	}
}

/// A user's call as the fuzzer drew it: its signer, the call, and whether it goes through
/// `sudo` (Root).
type Signed = (AccountId, RuntimeCall, bool);

/// One run's state beyond the chain: the calls so far (for the report) and the attestors'
/// secrets.
struct Fuzzer {
	/// Draws the users' calls.
	rng: Rng,
	/// Draws the attestors' choices, seeded afresh for each block, so that a replay with
	/// fewer users' calls gives the attestors the same dice.
	attestors: Rng,
	who: Vec<AccountId>,
	log: Vec<String>,
	/// (job, member) → (salt, outcome) committed.
	secrets: alloc::collections::BTreeMap<(u64, AccountId), ([u8; 32], Outcome)>,
	applied: u64,
	included: u64,
	/// Referenda that passed (confirmed), and their calls that the scheduler dispatched.
	passed: u64,
	enacted: u64,
}

impl Fuzzer {
	/// Applies `call` signed by `signer` (through `sudo` when `root`), as a block's extrinsic.
	fn apply(&mut self, signer: AccountId, call: RuntimeCall, root: bool) {
		let (signer, call) = if root {
			(alice(), RuntimeCall::Sudo(pallet_sudo::Call::sudo { call: Box::new(call) }))
		} else {
			(signer, call)
		};
		let nonce = System::account_nonce(&signer);
		let ext = crate::tx_extension(sp_runtime::generic::Era::Immortal, nonce);
		let mut line = format!("{signer:?} {call:?}");
		line.truncate(300);
		// The transaction as a block carries it (with a signature nobody checks here), for
		// its length.
		let signature = sp_core::sr25519::Signature::from_raw([0; 64]);
		let encoded = crate::UncheckedExtrinsic::new_signed(
			call.clone(),
			signer.clone().into(),
			crate::Signature::Sr25519(signature),
			ext.clone(),
		)
		.encode();
		let xt = CheckedExtrinsic::<AccountId, RuntimeCall, TxExtension> {
			format: ExtrinsicFormat::Signed(signer, ext),
			function: call,
		};
		// What `Executive::apply_extrinsic` does after the signature check; a transaction that
		// is invalid leaves nothing behind, as the block builder drops it.
		let info = xt.get_dispatch_info();
		if !System::inherents_applied() {
			Executive::inherents_applied();
		}
		sp_io::storage::start_transaction();
		System::note_extrinsic(encoded.clone());
		self.applied += 1;
		match Applyable::apply::<Runtime>(xt, &info, encoded.len()) {
			Ok(r) => {
				System::note_applied_extrinsic(&r, info);
				sp_io::storage::commit_transaction();
				self.included += 1;
				line.push_str(&format!(" -> {:?}", r.map(|_| ()).map_err(|e| e.error)));
			},
			Err(e) => {
				sp_io::storage::rollback_transaction();
				line.push_str(&format!(" -> invalid {e:?}"));
			},
		}
		self.log.push(line);
	}

	/// Counts and logs the block's referenda that passed and the calls enacted for them.
	fn note_governance(&mut self) {
		for record in System::read_events_no_consensus() {
			match record.event {
				RuntimeEvent::Referenda(pallet_referenda::Event::Confirmed { index, .. }) => {
					self.passed += 1;
					self.log.push(format!("referendum {index} passed"));
				},
				// The scheduler also runs the referenda's alarms; an enactment is the task that
				// pallet_referenda names after the referendum.
				RuntimeEvent::Scheduler(pallet_scheduler::Event::Dispatched {
					id: Some(id),
					result: Ok(()),
					..
				}) => {
					let enacted = (0..pallet_referenda::ReferendumCount::<Runtime>::get())
						.find(|i| (*b"assembly", "enactment", *i).using_encoded(blake2_256) == id);
					if let Some(index) = enacted {
						self.enacted += 1;
						self.log.push(format!("referendum {index}'s call enacted"));
					}
				},
				_ => {},
			}
		}
	}

	/// The attestors' turn: every member of an open job's committee commits or reveals.
	fn attest(&mut self) {
		let jobs: Vec<_> = pallet_attribution::Jobs::<Runtime>::iter().collect();
		let mut commits: alloc::collections::BTreeMap<AccountId, Vec<(u64, H256)>> =
			Default::default();
		let mut reveals: alloc::collections::BTreeMap<AccountId, Vec<(u64, [u8; 32], Outcome)>> =
			Default::default();
		for (job, j) in jobs {
			for member in j.committee.iter() {
				let key = (job, member.clone());
				if !j.revealing {
					if self.secrets.contains_key(&key) || !self.attestors.chance(85) {
						continue;
					}
					let outcome = mock_outcome(&j, self.attestors.chance(10));
					let salt: [u8; 32] = self.attestors.bytes(32).try_into().expect("32 bytes");
					let c = pallet_attribution::Pallet::<Runtime>::commitment(
						job, member, &salt, &outcome,
					);
					self.secrets.insert(key, (salt, outcome));
					commits.entry(member.clone()).or_default().push((job, c));
				} else if let Some((salt, outcome)) = self.secrets.get(&key) {
					if pallet_attribution::Reveals::<Runtime>::contains_key(job, member)
						|| !self.attestors.chance(85)
					{
						continue;
					}
					reveals.entry(member.clone()).or_default().push((job, *salt, outcome.clone()));
				}
			}
		}
		for (who, items) in commits {
			let call = if items.len() == 1 && self.attestors.chance(50) {
				RuntimeCall::Attribution(pallet_attribution::Call::commit {
					job: items[0].0,
					commitment: items[0].1,
				})
			} else {
				RuntimeCall::Attribution(pallet_attribution::Call::commit_batch {
					items: items.try_into().unwrap_or_default(),
				})
			};
			self.apply(who, call, false);
		}
		for (who, items) in reveals {
			let members =
				if self.attestors.chance(90) { 64 } else { self.attestors.below(4) as u32 };
			let call = if items.len() == 1 && self.attestors.chance(50) {
				let (job, salt, outcome) = items[0].clone();
				RuntimeCall::Attribution(pallet_attribution::Call::reveal { job, salt, outcome })
			} else {
				RuntimeCall::Attribution(pallet_attribution::Call::reveal_batch {
					items: items.try_into().unwrap_or_default(),
					members,
				})
			};
			self.apply(who, call, false);
		}
		// Secrets of closed jobs are of no more use.
		self.secrets.retain(|(job, _), _| pallet_attribution::Jobs::<Runtime>::contains_key(job));
	}
}

/// Starts block `n` at slot `n + 1000` (so that every validator authors in turn).
fn open_block(n: BlockNumber) {
	super::open_block(n, u64::from(n) + 1_000);
}

/// The checks after every block; `before` is the total issuance when the block began.
fn check_block(before: Balance) -> Result<(), String> {
	use pallet_balances::Event as E;
	let issuance = pallet_balances::TotalIssuance::<Runtime>::get();
	let mut delta: i128 = 0;
	// Minted (the emission), issued and burned by the balances pallet's own events; fees are
	// burned (`FungibleAdapter<Balances, ()>`) and dust is dropped, both without an issuance
	// event: their own events say how much. Slashes move held funds to the treasury or a
	// challenger, so they leave the issuance as it was.
	for record in System::events() {
		match record.event {
			RuntimeEvent::Balances(e) => match e {
				E::Minted { amount, .. } | E::Issued { amount } => delta += amount as i128,
				E::Burned { amount, .. }
				| E::BurnedHeld { amount, .. }
				| E::Rescinded { amount }
				| E::DustLost { amount, .. } => delta -= amount as i128,
				_ => {},
			},
			RuntimeEvent::TransactionPayment(
				pallet_transaction_payment::Event::TransactionFeePaid { actual_fee, .. },
			) => delta -= actual_fee as i128,
			_ => {},
		}
	}
	if issuance as i128 - before as i128 != delta {
		return Err(format!(
			"total issuance went from {before} to {issuance}, but the events account for {delta}"
		));
	}
	let held: Balance = frame_system::Account::<Runtime>::iter()
		.map(|(_, a)| a.data.free.saturating_add(a.data.reserved))
		.fold(0, |a, b| a.saturating_add(b));
	if held != issuance {
		return Err(format!("the accounts hold {held}, the total issuance is {issuance}"));
	}
	pallet_datanets::Pallet::<Runtime>::do_try_state().map_err(|e| format!("datanets: {e:?}"))?;
	pallet_models::Pallet::<Runtime>::do_try_state().map_err(|e| format!("models: {e:?}"))?;
	pallet_agents::Pallet::<Runtime>::do_try_state().map_err(|e| format!("agents: {e:?}"))?;
	pallet_attribution::Pallet::<Runtime>::do_try_state()
		.map_err(|e| format!("attribution: {e:?}"))?;
	pallet_rewards::Pallet::<Runtime>::do_try_state().map_err(|e| format!("rewards: {e:?}"))?;
	let limits = <Runtime as frame_system::Config>::BlockWeights::get();
	let used = frame_system::BlockWeight::<Runtime>::get();
	for class in [DispatchClass::Normal, DispatchClass::Operational] {
		if let Some(max) = limits.get(class).max_total {
			if !used.get(class).all_lte(max) {
				return Err(format!("{class:?} weight {:?} above {max:?}", used.get(class)));
			}
		}
	}
	// A session's last block claims the whole block for the rotation (`pallet_session` weighs
	// its `on_initialize` as `max_block`), so that no transaction shares it; the mandatory
	// inherents and hooks come on top.
	let rotated = System::events().iter().any(|r| {
		matches!(r.event, RuntimeEvent::Session(pallet_session::Event::NewSession { .. }))
	});
	if !rotated && !used.total().all_lte(limits.max_block) {
		return Err(format!("block weight {:?} above {:?}", used.total(), limits.max_block));
	}
	Ok(())
}

/// What a run did: calls applied, included, blocks, and the failure if any.
#[derive(Default)]
pub(crate) struct Report {
	pub applied: u64,
	pub included: u64,
	pub passed: u64,
	pub enacted: u64,
	pub blocks: u32,
	pub sequences: u64,
	/// Time spent in the checks after each block.
	pub checking: core::time::Duration,
	pub failure: Option<String>,
	/// The failing sequence's users' calls, per block, shrunk.
	pub shrunk: Option<Vec<Vec<Signed>>>,
}

/// The calls of one sequence, each from a fresh genesis: enough to build up Datanets, models,
/// agents, paid inferences, jobs, votes and referenda, few enough that the state, which the
/// checks read whole after every block, stays small and a run's time grows linearly.
const SEQUENCE: u64 = 2_000;

/// The most replays a failure is shrunk with.
const SHRINK_REPLAYS: u32 = 400;

/// An invariant checked after every block, on top of [`check_block`]'s (tests of the fuzzer
/// itself add one the chain does not have).
type Check = fn() -> Result<(), String>;

/// Runs `calls` random calls from `seed`, in sequences of `SEQUENCE` calls.
pub(crate) fn run(seed: u64, calls: u64) -> Report {
	run_checked(seed, calls, || Ok(()))
}

/// [`run`], with `extra` checked after every block too. Sequences are independent (each from
/// a fresh genesis, with a seed of its own), so they are played on one thread per core and
/// their reports summed. The report is the same for any number of threads: after a failure no
/// later sequence is started, and the failure reported is the one of the earliest sequence.
fn run_checked(seed: u64, calls: u64, extra: Check) -> Report {
	use core::sync::atomic::{AtomicU64, Ordering};
	let sequences = calls.div_ceil(SEQUENCE);
	let threads = std::thread::available_parallelism().map_or(1, |n| n.get() as u64);
	let next = AtomicU64::new(0);
	// The earliest sequence that failed so far (`u64::MAX`: none).
	let failed = AtomicU64::new(u64::MAX);
	let mut done: Vec<(u64, Report)> = std::thread::scope(|scope| {
		let workers: Vec<_> = (0..threads.min(sequences))
			.map(|_| {
				scope.spawn(|| {
					let mut mine = Vec::new();
					loop {
						let index = next.fetch_add(1, Ordering::SeqCst);
						if index >= sequences || index > failed.load(Ordering::SeqCst) {
							break mine;
						}
						let length = SEQUENCE.min(calls - index * SEQUENCE);
						let report = sequence(seed, index, length, extra);
						if report.failure.is_some() {
							failed.fetch_min(index, Ordering::SeqCst);
						}
						mine.push((index, report));
					}
				})
			})
			.collect();
		workers.into_iter().flat_map(|w| w.join().expect("a sequence's panic is caught")).collect()
	});
	done.sort_by_key(|(index, _)| *index);
	let last = failed.load(Ordering::SeqCst);
	let mut total = Report::default();
	for (_, report) in done.into_iter().filter(|(index, _)| *index <= last) {
		total.applied += report.applied;
		total.included += report.included;
		total.passed += report.passed;
		total.enacted += report.enacted;
		total.blocks += report.blocks;
		total.sequences += 1;
		total.checking += report.checking;
		total.failure = report.failure;
		total.shrunk = report.shrunk;
	}
	total
}

/// What one sequence did.
struct Played {
	/// The users' calls of each block (not the attestors', which are drawn again on replay).
	blocks: Vec<Vec<Signed>>,
	log: Vec<String>,
	applied: u64,
	included: u64,
	passed: u64,
	enacted: u64,
	checking: core::time::Duration,
	/// The failure, and the index of the block it happened in.
	failure: Option<(String, usize)>,
}

/// Plays sequence `index` of a run from `seed` from the `local` genesis: `calls` random calls,
/// or, with `replay`, those calls per block instead (the attestors draw as they did).
fn play(seed: u64, index: u64, calls: u64, replay: Option<&[Vec<Signed>]>, extra: Check) -> Played {
	let sequence_seed = seed ^ index.wrapping_mul(0xd1b5_4a32_d192_ed03);
	let mut f = Fuzzer {
		rng: Rng(sequence_seed),
		attestors: Rng(0),
		who: accounts(),
		log: Vec::new(),
		secrets: Default::default(),
		applied: 0,
		included: 0,
		passed: 0,
		enacted: 0,
	};
	let mut blocks: Vec<Vec<Signed>> = Vec::new();
	let mut checking = core::time::Duration::ZERO;
	let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
		crate::tests::state_of("local").execute_with(|| {
			let mut n: BlockNumber = 1;
			loop {
				let block = blocks.len();
				let users: Vec<Signed> = match replay {
					Some(recorded) => match recorded.get(block) {
						Some(calls) => calls.clone(),
						None => break,
					},
					None if f.applied >= calls => break,
					None => (0..1 + f.rng.below(8))
						.map(|_| {
							let signer = f.rng.pick(&f.who).clone();
							let (call, root) = random_call(&mut f.rng, &f.who);
							(signer, call, root)
						})
						.collect(),
				};
				let before = pallet_balances::TotalIssuance::<Runtime>::get();
				open_block(n);
				f.log.push(format!("-- block {n}"));
				f.attestors = Rng(sequence_seed ^ u64::from(n).wrapping_mul(0x9e37_79b9_7f4a_7c15));
				f.attest();
				blocks.push(users.clone());
				for (signer, call, root) in users {
					f.apply(signer, call, root);
				}
				Executive::finalize_block();
				f.note_governance();
				let started = std::time::Instant::now();
				check_block(before)
					.and_then(|()| extra())
					.map_err(|e| (format!("after block {n}: {e}"), block))?;
				checking += started.elapsed();
				n += 1;
			}
			Ok::<(), (String, usize)>(())
		})
	}));
	let failure = match outcome {
		Ok(Ok(())) => None,
		Ok(Err(e)) => Some(e),
		Err(panic) => Some((
			format!(
				"panic: {}",
				panic
					.downcast_ref::<String>()
					.cloned()
					.or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
					.unwrap_or_default()
			),
			blocks.len().saturating_sub(1),
		)),
	};
	Played {
		blocks,
		log: f.log,
		applied: f.applied,
		included: f.included,
		passed: f.passed,
		enacted: f.enacted,
		checking,
		failure,
	}
}

/// A failure's kind: its message without the block and numbers, up to the first colon, so that
/// shrinking keeps the failure it started from ("attribution", "panic", "total issuance went
/// from to , but …").
fn kind(failure: &str) -> String {
	let message = failure.split_once(": ").map_or(failure, |(_, rest)| rest);
	let message = message.split(':').next().unwrap_or(message);
	message.chars().filter(|c| !c.is_ascii_digit()).collect()
}

/// `blocks` without the users' calls `start..start + len`, counted across blocks.
fn without(blocks: &[Vec<Signed>], start: usize, len: usize) -> Vec<Vec<Signed>> {
	let mut i = 0;
	blocks
		.iter()
		.map(|calls| {
			calls
				.iter()
				.filter(|_| {
					let keep = i < start || i >= start + len;
					i += 1;
					keep
				})
				.cloned()
				.collect()
		})
		.collect()
}

/// Shrinks the failing `blocks` of sequence `index`: drops the blocks after the failure, then
/// the users' calls, in chunks that halve down to single calls, as long as a replay still
/// fails alike. The attestors still answer every job. Returns the shrunk blocks, their
/// replay's failure and log, and the replays it took (at most [`SHRINK_REPLAYS`]).
fn shrink(
	seed: u64,
	index: u64,
	failure: &(String, usize),
	blocks: &[Vec<Signed>],
	extra: Check,
) -> (Vec<Vec<Signed>>, String, Vec<String>, u32) {
	let want = kind(&failure.0);
	let mut current: Vec<Vec<Signed>> = blocks[..=failure.1.min(blocks.len() - 1)].to_vec();
	let mut best = (failure.0.clone(), Vec::new());
	let mut replays = 0;
	let total = |b: &[Vec<Signed>]| b.iter().map(Vec::len).sum::<usize>();
	let mut chunk = total(&current).div_ceil(2).max(1);
	loop {
		let mut start = 0;
		while start < total(&current) && replays < SHRINK_REPLAYS {
			let candidate = without(&current, start, chunk);
			replays += 1;
			let played = play(seed, index, 0, Some(&candidate), extra);
			match played.failure {
				Some((e, at)) if kind(&e) == want => {
					current = candidate[..=at.min(candidate.len() - 1)].to_vec();
					best = (e, played.log);
				},
				_ => start += chunk,
			}
		}
		if chunk == 1 || replays >= SHRINK_REPLAYS {
			break;
		}
		chunk = chunk.div_ceil(2);
	}
	if best.1.is_empty() {
		// No smaller sequence failed: replay the failing one for its log.
		let played = play(seed, index, 0, Some(&current), extra);
		best.1 = played.log;
	}
	(current, best.0, best.1, replays)
}

/// Sequence `index` of a run from `seed`: `calls` calls from the `local` genesis; a failure
/// is shrunk and reported with both the sequence's last calls and the shrunk sequence.
fn sequence(seed: u64, index: u64, calls: u64, extra: Check) -> Report {
	let played = play(seed, index, calls, None, extra);
	let mut report = Report {
		applied: played.applied,
		included: played.included,
		passed: played.passed,
		enacted: played.enacted,
		blocks: played.blocks.len() as u32,
		sequences: 1,
		checking: played.checking,
		..Report::default()
	};
	let Some(failure) = played.failure else { return report };
	let log = &played.log;
	let tail = log.len().saturating_sub(60);
	let (shrunk, shrunk_failure, shrunk_log, replays) =
		shrink(seed, index, &failure, &played.blocks, extra);
	report.failure = Some(format!(
		"seed {seed}, sequence {index}: {}\nthe last {} of its {} calls and blocks:\n{}\n\n\
		 shrunk in {replays} replays to {} users' calls in {} blocks (with the attestors' \
		 calls), failing with: {shrunk_failure}\n{}",
		failure.0,
		log.len() - tail,
		log.len(),
		log[tail..].join("\n"),
		shrunk.iter().map(Vec::len).sum::<usize>(),
		shrunk.len(),
		// Blocks without a call are left out of the listing.
		shrunk_log
			.iter()
			.enumerate()
			.filter(|(i, line)| {
				!line.starts_with("-- block")
					|| shrunk_log.get(i + 1).is_some_and(|next| !next.starts_with("-- block"))
			})
			.map(|(_, line)| line.as_str())
			.collect::<Vec<_>>()
			.join("\n"),
	));
	report.shrunk = Some(shrunk);
	report
}

#[test]
fn random_calls_keep_every_invariant() {
	let calls =
		std::env::var("OPENLEDGER_FUZZ_CALLS").ok().and_then(|c| c.parse().ok()).unwrap_or(20_000);
	let seed = std::env::var("OPENLEDGER_FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(1);
	let started = std::time::Instant::now();
	let report = run(seed, calls);
	println!(
		"fuzz: seed {seed}, {} calls applied ({} included) in {} blocks of {} sequences, {} \
		 referenda passed and {} enacted, {:.1?} on {} threads ({:.1?} of their time in the \
		 checks)",
		report.applied,
		report.included,
		report.blocks,
		report.sequences,
		report.passed,
		report.enacted,
		started.elapsed(),
		std::thread::available_parallelism().map_or(1, |n| n.get()),
		report.checking,
	);
	if let Some(failure) = report.failure {
		panic!("{failure}");
	}
	assert!(report.included > report.applied / 4, "most calls were refused before dispatch");
	// Governance is exercised to the end: referenda are decided and their calls dispatched.
	if calls >= 20_000 {
		assert!(report.passed > 0 && report.enacted > 0, "no referendum passed and was enacted");
	}
}

#[test]
fn a_failure_is_shrunk_to_the_calls_that_cause_it() {
	// An invariant the chain does not have: at most one Datanet.
	fn one_datanet() -> Result<(), String> {
		match pallet_datanets::Datanets::<Runtime>::iter().count() {
			0 | 1 => Ok(()),
			n => Err(format!("datanets: {n} of them")),
		}
	}
	let report = run_checked(1, 2_000, one_datanet);
	let failure = report.failure.expect("random calls create two Datanets");
	assert!(failure.contains("datanets: 2 of them"), "{failure}");
	let shrunk = report.shrunk.expect("the failure is shrunk");
	let calls: Vec<&Signed> = shrunk.iter().flatten().collect();
	let creates = calls
		.iter()
		.filter(|(_, call, _)| {
			matches!(call, RuntimeCall::Datanets(pallet_datanets::Call::create { .. }))
		})
		.count();
	// Nothing but the two creations is left (a transfer that funds a creator may be needed).
	assert_eq!(creates, 2, "{failure}");
	assert!(calls.len() <= 3, "{failure}");
	// The shrunk sequence fails alike when replayed, in its last block.
	let replayed = play(1, 0, 0, Some(&shrunk), one_datanet);
	let (e, at) = replayed.failure.expect("the shrunk sequence fails");
	assert_eq!(kind(&e), "datanets");
	assert_eq!(at, shrunk.len() - 1);
}
