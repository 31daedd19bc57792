//! Proof of Attribution and rewards.
//!
//! - Attestors sign with `attr` sr25519 keys; their off-chain workers submit signed
//!   transactions built here ([`frame_system::offchain::CreateSignedTransaction`]).
//! - A job's commit round stays open for 100 blocks (10 minutes) to train and 20 blocks
//!   (2 minutes) to attribute an inference; then it expires (a model fails, an inference is
//!   refunded). The reveal round lasts 10 blocks (1 minute).
//! - Attestors bond at least 1,000 OPEN; a lost vote costs 10% of the bond, an unrevealed
//!   commit 1%; a bond unlocks 7 days after its attestor leaves. Slashes go to the treasury.
//! - An inference's result is paid out 10 blocks after the vote unless an attestor outside its
//!   committee challenges it first, with a deposit of 100 OPEN (the dev preset pays at once).
//! - Results name at most 16 records; inputs are at most 4 KiB.
//! - Fees are split 50/20/10/15/5 (contributors, model owner, agent, attestors, treasury) into
//!   claimable balances held by the rewards pot; the emission is 0 until governance sets one,
//!   per epoch of one day.
//!
//! Attestor membership and the consensus parameters are Root's or an `attribution_admin`
//! referendum's; the split and the emission are Root's or an `economics` referendum's.

use codec::Encode;
use frame_support::{parameter_types, traits::ConstU32, PalletId};
use sp_runtime::{
	generic,
	traits::{SaturatedConversion, StaticLookup, Verify},
};

use crate::{
	governance::{AttributionAdminOrigin, EconomicsOrigin, TreasuryAccount},
	AccountId, BlockNumber, Datanets, Models, Runtime, RuntimeCall, RuntimeHoldReason, Signature,
	SignedPayload, System, TxExtension, UncheckedExtrinsic, DAYS, OPEN,
};

impl frame_system::offchain::SigningTypes for Runtime {
	type Public = <Signature as Verify>::Signer;
	type Signature = Signature;
}

impl<C> frame_system::offchain::CreateTransactionBase<C> for Runtime
where
	RuntimeCall: From<C>,
{
	type RuntimeCall = RuntimeCall;
	type Extrinsic = UncheckedExtrinsic;
}

impl<C> frame_system::offchain::CreateTransaction<C> for Runtime
where
	RuntimeCall: From<C>,
{
	type Extension = TxExtension;

	fn create_transaction(call: RuntimeCall, extension: TxExtension) -> UncheckedExtrinsic {
		UncheckedExtrinsic::new_transaction(call, extension)
	}
}

impl<C> frame_system::offchain::CreateSignedTransaction<C> for Runtime
where
	RuntimeCall: From<C>,
{
	/// Signs `call` for the off-chain worker: mortal for half the block-hash window, no tip.
	fn create_signed_transaction<
		A: frame_system::offchain::AppCrypto<Self::Public, Self::Signature>,
	>(
		call: RuntimeCall,
		public: <Signature as Verify>::Signer,
		account: AccountId,
		nonce: crate::Nonce,
	) -> Option<UncheckedExtrinsic> {
		let period = <Runtime as frame_system::Config>::BlockHashCount::get()
			.checked_next_power_of_two()
			.map(|c| c / 2)
			.unwrap_or(2) as u64;
		// `block_number` is already the block being built; the era starts at its parent.
		let current = System::block_number().saturated_into::<u64>().saturating_sub(1);
		let extension = crate::tx_extension(generic::Era::mortal(period, current), nonce);
		let payload = SignedPayload::new(call, extension)
			.map_err(|e| log::warn!(target: "attribution", "cannot sign: {e:?}"))
			.ok()?;
		let signature = payload.using_encoded(|bytes| A::sign(bytes, public))?;
		let (call, extension, _) = payload.deconstruct();
		let address = <Runtime as frame_system::Config>::Lookup::unlookup(account);
		Some(UncheckedExtrinsic::new_signed(call, address, signature, extension))
	}
}

parameter_types! {
	/// Training a model may take a while: 10 minutes.
	pub const TrainingPeriod: BlockNumber = 100;
	/// An inference waits 2 minutes for its quorum.
	pub const InferencePeriod: BlockNumber = 20;
	/// The rewards pot's pallet id.
	pub const RewardsPalletId: PalletId = PalletId(*b"ol/rewrd");
	/// One emission epoch a day.
	pub const EpochLength: BlockNumber = DAYS;
	/// One strike is forgiven a day after an attestor's last: ten strikes in ten days suspend.
	pub const StrikeDecay: BlockNumber = DAYS;
	/// Members reveal within a minute of the commit round's close.
	pub const RevealPeriod: BlockNumber = 10;
	/// The most commits or reveals one batch carries: an attestor on three of four committees
	/// answers about 75 jobs per round in a block of 100 inferences, so one batch per round
	/// holds them with room for three times the load (more are sent in several batches).
	pub const MaxAttestationBatch: u32 = 256;
	/// The most jobs one block closes at their deadline, and the most results it pays out:
	/// above the 100 inferences a block the chain is sized for, so that a backlog drains, and
	/// at most half a block's weight for both at their worst (the runtime's tests check it);
	/// the rest wait for the next blocks.
	pub const MaxSettledPerBlock: u32 = 128;
	/// What attestors stake until `attribution_admin` changes it.
	pub const DefaultStake: pallet_attribution::Stake<BlockNumber> = pallet_attribution::Stake {
		min_bond: ATTESTOR_BOND,
		lost_slash: sp_runtime::Perbill::from_percent(10),
		unrevealed_slash: sp_runtime::Perbill::from_percent(1),
		unbonding_period: 7 * DAYS,
		challenge_window: CHALLENGE_WINDOW,
		challenge_deposit: 100 * OPEN,
	};
}

/// Blocks an inference's result stays challengeable (one minute) before it is paid out.
pub const CHALLENGE_WINDOW: BlockNumber = 10;

/// The least bond of an attestor, and what the genesis attestors bond.
pub const ATTESTOR_BOND: crate::Balance = 1_000 * OPEN;

/// The hash of the extrinsic being applied: `blake2_256` of its encoding, as the transaction
/// pool and `attribution_answer` name it. `frame_system` keeps the encoding of each extrinsic
/// of the block in its `ExtrinsicData` map until the block is finalised; the map is private to
/// its pallet, so its value is read by its storage key (twox128 of the pallet's name and of
/// the item's, then the extrinsic's index as `Twox64Concat`).
pub struct ExtrinsicHash;

impl frame_support::traits::Get<Option<sp_core::H256>> for ExtrinsicHash {
	fn get() -> Option<sp_core::H256> {
		use frame_support::{traits::PalletInfoAccess, StorageHasher, Twox64Concat};
		let index = System::extrinsic_index()?;
		let prefix =
			frame_support::storage::storage_prefix(System::name().as_bytes(), b"ExtrinsicData");
		let key = [&prefix[..], &Twox64Concat::hash(&index.encode())].concat();
		let extrinsic: alloc::vec::Vec<u8> = frame_support::storage::unhashed::get(&key)?;
		Some(sp_io::hashing::blake2_256(&extrinsic).into())
	}
}

impl pallet_attribution::Config for Runtime {
	type AuthorityId = pallet_attribution::crypto::AttestorId;
	type AdminOrigin = AttributionAdminOrigin;
	type Currency = crate::Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type TreasuryAccount = TreasuryAccount;
	type DefaultStake = DefaultStake;
	type Datanets = Datanets;
	type Models = Models;
	type Inferences = crate::Agents;
	type Payees = crate::Rewards;
	type MaxAttestors = ConstU32<32>;
	type MaxTopK = ConstU32<{ crate::MAX_TOP_K }>;
	type MaxInputLen = ConstU32<4096>;
	type TrainingPeriod = TrainingPeriod;
	type InferencePeriod = InferencePeriod;
	type RevealPeriod = RevealPeriod;
	type StrikeDecay = StrikeDecay;
	type MaxBatch = MaxAttestationBatch;
	type MaxSettledPerBlock = MaxSettledPerBlock;
	type IngestChunk = ConstU32<256>;
	type AnswerSignature = Signature;
	type RequestHash = ExtrinsicHash;
	type WeightInfo = pallet_attribution::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = crate::benchmarks::DataLayerHelper;
}

impl pallet_rewards::Config for Runtime {
	type Currency = crate::Balances;
	type PalletId = RewardsPalletId;
	type TreasuryAccount = TreasuryAccount;
	type EconomicsOrigin = EconomicsOrigin;
	type Datanets = Datanets;
	type Holdings = super::assets::NftHoldings;
	type MaxShareholders = ConstU32<16>;
	type EpochLength = EpochLength;
	type MaxEpochEarners = ConstU32<1024>;
	type WeightInfo = pallet_rewards::weights::SubstrateWeight<Runtime>;
}

/// The rewards pot's account.
pub fn rewards_pot() -> AccountId {
	use sp_runtime::traits::AccountIdConversion;
	RewardsPalletId::get().into_account_truncating()
}
