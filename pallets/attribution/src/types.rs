//! The pallet's data types: jobs, outcomes, parameters, bonds and records.

use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{pallet_prelude::*, CloneNoBound, DebugNoBound, PartialEqNoBound};
use frame_system::pallet_prelude::BlockNumberFor;
use scale_info::TypeInfo;
use sp_core::H256;
use sp_runtime::Perbill;

use crate::{
	pallet::Config, Answer, Balance, ClassLabel, Generation, InferOutcome, InferenceId, Inferred,
	JobId, ModelId, RecordShare, Trace, TrainOutcome,
};

/// What a job asks for.
#[derive(
	Clone,
	Copy,
	Debug,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub enum JobKind {
	/// Train a newly registered model.
	Train {
		/// The model.
		model: ModelId,
	},
	/// Predict and attribute a paid inference.
	Infer {
		/// The inference.
		inference: InferenceId,
		/// Its model.
		model: ModelId,
	},
	/// Re-execute a challenged inference, with a larger committee that excludes the first.
	Recheck {
		/// The inference.
		inference: InferenceId,
		/// Its model.
		model: ModelId,
	},
}

impl JobKind {
	/// The model an inference or a recheck runs.
	pub fn inference_model(&self) -> Option<ModelId> {
		match self {
			JobKind::Infer { model, .. } | JobKind::Recheck { model, .. } => Some(*model),
			JobKind::Train { .. } => None,
		}
	}
}

/// An open job.
#[derive(CloneNoBound, DebugNoBound, PartialEqNoBound, Encode, Decode, MaxEncodedLen, TypeInfo)]
#[scale_info(skip_type_params(T))]
pub struct Job<T: Config> {
	/// What it asks.
	pub kind: JobKind,
	/// The inference's input (empty for training).
	pub input: BoundedVec<u8, T::MaxInputLen>,
	/// The last block of the current round: commits are accepted until then (and the job
	/// expires after it), or, once `revealing`, reveals (and the vote is taken after it).
	pub deadline: BlockNumberFor<T>,
	/// Whether the commit round is over and the reveal round open.
	pub revealing: bool,
	/// Members that committed.
	pub commits: u32,
	/// Members that revealed.
	pub reveals: u32,
	/// The attestors drawn to answer it ([`Pallet::draw_committee`]); only they may.
	pub committee: BoundedVec<T::AccountId, T::MaxAttestors>,
	/// The engine version its outcomes must carry: the chain's when it opened (for a recheck,
	/// the challenged result's). A reveal of any other is refused (`WrongEngineVersion`).
	pub engine_version: u32,
}

/// An attestor's answer to a job, as revealed: the argument of `reveal`, and what its
/// commitment hashes.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub enum Outcome {
	/// A training outcome.
	Train(TrainOutcome),
	/// An inference outcome.
	Infer {
		/// The numeric version of the engine that answered.
		engine_version: u32,
		/// The label.
		label: ClassLabel,
		/// Its probability.
		confidence: Perbill,
		/// The proponents' shares: at most `MaxTopK`, summing to one (or none).
		shares: Vec<RecordShare>,
	},
	/// An ∞-gram model's inference outcome: a continuation of the prompt.
	Generate {
		/// The numeric version of the engine that answered.
		engine_version: u32,
		/// The first generated token's probability.
		confidence: Perbill,
		/// The records the tokens came from: at most `MaxTopK`, summing to one (or none).
		shares: Vec<RecordShare>,
		/// The continuation, its first step's candidates and its verbatim spans.
		generation: Generation,
	},
	/// An external model's inference outcome: its output traced to the records.
	Trace {
		/// The numeric version of the engine that answered.
		engine_version: u32,
		/// The records that hold the output's spans: at most `MaxTopK`, summing to one (or
		/// none, when no span reached the model's minimum length).
		shares: Vec<RecordShare>,
		/// The output's token count and spans.
		trace: Trace,
	},
}

impl From<InferOutcome> for Outcome {
	/// The reveal that answers an inference job with the engine's `outcome`: what the off-chain
	/// worker commits, and what an attestor node's `attribution_answer` signs.
	fn from(outcome: InferOutcome) -> Self {
		let engine_version = outcome.engine_version;
		let shares = outcome.proponents;
		match outcome.answer {
			Inferred::Class { label, confidence } => {
				Outcome::Infer { engine_version, label, confidence, shares }
			},
			Inferred::Continuation { confidence, generation } => {
				Outcome::Generate { engine_version, confidence, shares, generation }
			},
			Inferred::Trace(trace) => Outcome::Trace { engine_version, shares, trace },
		}
	}
}

impl Outcome {
	/// The hash the vote counts for it ([`Submission::hash`]): that of its encoding.
	pub fn hash(&self) -> H256 {
		H256(self.using_encoded(sp_io::hashing::blake2_256))
	}

	/// How many record shares it names (none for training): what a reveal's weight depends
	/// on.
	pub fn shares(&self) -> u32 {
		match self {
			Outcome::Train(_) => 0,
			Outcome::Infer { shares, .. }
			| Outcome::Generate { shares, .. }
			| Outcome::Trace { shares, .. } => u32::try_from(shares.len()).unwrap_or(u32::MAX),
		}
	}
}

/// A revealed outcome, as stored until the vote (it encodes exactly as its [`Outcome`]).
#[derive(CloneNoBound, DebugNoBound, PartialEqNoBound, Encode, Decode, MaxEncodedLen, TypeInfo)]
#[scale_info(skip_type_params(T))]
pub enum Submission<T: Config> {
	/// A training outcome.
	Train(TrainOutcome),
	/// An inference outcome.
	Infer {
		/// The numeric version of the engine that answered.
		engine_version: u32,
		/// The label.
		label: ClassLabel,
		/// Its probability.
		confidence: Perbill,
		/// The proponents' shares.
		shares: BoundedVec<RecordShare, T::MaxTopK>,
	},
	/// An ∞-gram model's inference outcome.
	Generate {
		/// The numeric version of the engine that answered.
		engine_version: u32,
		/// The first generated token's probability.
		confidence: Perbill,
		/// The records the tokens came from.
		shares: BoundedVec<RecordShare, T::MaxTopK>,
		/// The continuation.
		generation: Generation,
	},
	/// An external model's inference outcome.
	Trace {
		/// The numeric version of the engine that answered.
		engine_version: u32,
		/// The records that hold the output's spans.
		shares: BoundedVec<RecordShare, T::MaxTopK>,
		/// The output's token count and spans.
		trace: Trace,
	},
}

/// An external model's completed inference, as kept until the retention period ends: the
/// output it was given and the agreed trace of it.
#[derive(CloneNoBound, DebugNoBound, PartialEqNoBound, Encode, Decode, MaxEncodedLen, TypeInfo)]
#[scale_info(skip_type_params(T))]
pub struct TraceRecord<T: Config> {
	/// The output, as the agent claimed it (UTF-8).
	pub output: BoundedVec<u8, T::MaxInputLen>,
	/// Its token count and verbatim spans (byte ranges of `output`).
	pub trace: Trace,
}

/// An inference's result as the pallet pays it out: either kind of inference outcome.
pub struct Decided<T: Config> {
	/// The engine version.
	pub engine_version: u32,
	/// What it answered.
	pub answer: Answer,
	/// The records' shares.
	pub shares: BoundedVec<RecordShare, T::MaxTopK>,
	/// The continuation, for an ∞-gram.
	pub generation: Option<Generation>,
	/// The trace, for an external model.
	pub trace: Option<Trace>,
}

impl<T: Config> Submission<T> {
	/// The numeric version of the engine that computed it.
	pub fn engine_version(&self) -> u32 {
		match self {
			Submission::Train(o) => o.engine_version,
			Submission::Infer { engine_version, .. }
			| Submission::Generate { engine_version, .. }
			| Submission::Trace { engine_version, .. } => *engine_version,
		}
	}

	/// The inference result it carries (none for training).
	pub fn decided(self) -> Option<Decided<T>> {
		match self {
			Submission::Train(_) => None,
			Submission::Infer { engine_version, label, confidence, shares } => Some(Decided {
				engine_version,
				answer: Answer::Class { label, confidence },
				shares,
				generation: None,
				trace: None,
			}),
			Submission::Generate { engine_version, confidence, shares, generation } => {
				Some(Decided {
					engine_version,
					answer: Answer::Continuation { confidence },
					shares,
					generation: Some(generation),
					trace: None,
				})
			},
			Submission::Trace { engine_version, shares, trace } => Some(Decided {
				engine_version,
				answer: Answer::Trace { tokens: trace.tokens, spans: trace.spans.len() as u32 },
				shares,
				generation: None,
				trace: Some(trace),
			}),
		}
	}

	/// The hash the vote counts: that of its encoding (the same as its [`Outcome`]'s).
	pub fn hash(&self) -> H256 {
		H256(self.using_encoded(sp_io::hashing::blake2_256))
	}
}

/// The consensus parameters.
#[derive(
	Clone,
	Copy,
	Debug,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub struct Params {
	/// Strikes that suspend an attestor.
	pub max_strikes: u32,
	/// Attestors drawn to answer each job: the work per job stays constant however many
	/// attestors there are. A result needs the votes of more than half of its committee. A
	/// challenge needs a recheck committee larger than this among the attestors outside it, so
	/// with `n` attestors rechecks are possible while it is below `(n - 1) / 2`.
	pub committee_size: u32,
	/// The engine version attestors must run: jobs opened from now on accept outcomes of this
	/// version only. See docs/proof-of-attribution.md ("One engine version, and upgrades")
	/// for the plan of a change.
	pub engine_version: u32,
	/// The part of the pending results outside its own committees that each attestor node
	/// re-executes, and challenges if it disagrees (its watchtower). Each node draws its
	/// sample from the inference id and its account, so different nodes watch different
	/// results.
	pub watch_sample: Perbill,
	/// Blocks an inference's or a training's record (with its continuation, or its quality
	/// flags) is kept after it is written; then `on_idle` prunes it (0: kept forever).
	pub retention: u32,
}

impl Default for Params {
	fn default() -> Self {
		Self {
			max_strikes: 10,
			// A full set of 32 leaves 16 outsiders, 15 besides a challenger: a recheck of 16.
			committee_size: 15,
			engine_version: openledger_primitives::attribution::ENGINE_VERSION,
			watch_sample: Perbill::one(),
			// 30 days of 6-second blocks.
			retention: 432_000,
		}
	}
}

/// A record that is pruned once its retention period is over.
#[derive(
	Clone,
	Copy,
	Debug,
	PartialEq,
	Eq,
	PartialOrd,
	Ord,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub enum Expiring {
	/// An inference's result and continuation here, and its record in `pallet-agents`.
	Inference(InferenceId),
	/// A model's training record and quality flags.
	Training(ModelId),
}

/// What attestors stake, and lose.
#[derive(
	Clone,
	Copy,
	Debug,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub struct Stake<BlockNumber> {
	/// The least bond that makes an account an attestor.
	pub min_bond: Balance,
	/// The part of its bond an attestor loses for a revealed outcome that lost the vote.
	pub lost_slash: Perbill,
	/// The part of its bond an attestor loses for a commit it never revealed.
	pub unrevealed_slash: Perbill,
	/// Blocks a bond stays held, and slashable, after its attestor leaves.
	pub unbonding_period: BlockNumber,
	/// Blocks an inference's decided result waits, challengeable, before it is paid out
	/// (0: paid at once, no challenges).
	pub challenge_window: BlockNumber,
	/// What a challenger holds until its challenge is settled.
	pub challenge_deposit: Balance,
}

/// An account's bond.
#[derive(
	Clone,
	Copy,
	Debug,
	Default,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub struct Bond<BlockNumber> {
	/// What is held.
	pub amount: Balance,
	/// Once it has left the attestor set: the block from which it may be withdrawn.
	pub unlocks_at: Option<BlockNumber>,
}

/// An attestor's strikes when it was last struck.
#[derive(
	Clone,
	Copy,
	Debug,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub struct StrikeRecord<BlockNumber> {
	/// Strikes after that strike.
	pub count: u32,
	/// The block of that strike, from which decay counts.
	pub at: BlockNumber,
}

/// A challenge of a pending result.
#[derive(CloneNoBound, DebugNoBound, PartialEqNoBound, Encode, Decode, MaxEncodedLen, TypeInfo)]
#[scale_info(skip_type_params(T))]
pub struct Challenge<T: Config> {
	/// Who challenged.
	pub challenger: T::AccountId,
	/// What it holds.
	pub deposit: Balance,
	/// The `Recheck` job that settles it.
	pub job: JobId,
}

/// An inference's decided result in its challenge window, not yet paid out.
#[derive(CloneNoBound, DebugNoBound, PartialEqNoBound, Encode, Decode, MaxEncodedLen, TypeInfo)]
#[scale_info(skip_type_params(T))]
pub struct PendingResult<T: Config> {
	/// The job that decided it.
	pub job: JobId,
	/// The model.
	pub model: ModelId,
	/// The inference's input, for a recheck.
	pub input: BoundedVec<u8, T::MaxInputLen>,
	/// The winning outcome (an `Infer` submission).
	pub outcome: Submission<T>,
	/// The members that revealed it.
	pub agreeing: BoundedVec<T::AccountId, T::MaxAttestors>,
	/// The committee that decided it: it may neither challenge nor recheck.
	pub committee: BoundedVec<T::AccountId, T::MaxAttestors>,
	/// The block at which it is paid out if no one challenged it.
	pub matures: BlockNumberFor<T>,
	/// The challenge, once there is one.
	pub challenge: Option<Challenge<T>>,
}

/// What binds an inference to the extrinsic that requested it, for the answers attestor nodes
/// gave before the chain's ([`answer_payload`]).
#[derive(CloneNoBound, DebugNoBound, PartialEqNoBound, Encode, Decode, MaxEncodedLen, TypeInfo)]
#[scale_info(skip_type_params(T))]
pub struct InferenceRequest<T: Config> {
	/// The hash of the extrinsic whose dispatch opened the inference (`blake2_256` of its
	/// encoding: the hash the transaction pool and `attribution_answer` know it by).
	pub extrinsic: H256,
	/// The `Infer` job it opened.
	pub job: JobId,
	/// The hash of the outcome the chain paid out, once it did ([`Submission::hash`]).
	pub decided: Option<H256>,
	/// The attestors already reported for answering it otherwise: each is punished once.
	pub reported: BoundedVec<T::AccountId, T::MaxAttestors>,
}

/// The bytes an attestor node signs when it answers the inference that extrinsic `extrinsic`
/// requests with the outcome of hash `outcome`, before the chain decides it: SCALE of
/// `("openledger/answer", extrinsic, outcome)`. `report_answer` checks the signature.
pub fn answer_payload(extrinsic: H256, outcome: H256) -> Vec<u8> {
	(ANSWER_CONTEXT, extrinsic, outcome).encode()
}

/// What separates an answer's signature from every other use of an attestor's key.
pub const ANSWER_CONTEXT: &[u8] = b"openledger/answer";

/// The consensus on an inference, as stored.
#[derive(CloneNoBound, DebugNoBound, PartialEqNoBound, Encode, Decode, MaxEncodedLen, TypeInfo)]
#[scale_info(skip_type_params(T))]
pub struct InferenceRecord<T: Config> {
	/// The model.
	pub model: ModelId,
	/// The engine version of the winning outcome.
	pub engine_version: u32,
	/// What it answered.
	pub answer: Answer,
	/// Its records' shares, summing to one (empty if none).
	pub shares: BoundedVec<RecordShare, T::MaxTopK>,
	/// The attestors that revealed it.
	pub agreeing: BoundedVec<T::AccountId, T::MaxAttestors>,
	/// The block it was decided in.
	pub block: BlockNumberFor<T>,
}
