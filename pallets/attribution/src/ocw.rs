//! The off-chain worker of an attestor node.
//!
//! On each block it lists the local `attr` keys, and takes the open jobs earliest deadline
//! first ([`schedule`]), within the node's time budget per block ([`Budget`],
//! `--attribution-worker-ms`); the jobs it has no time for wait for the next block. For each job
//! whose committee includes a local key that has not answered its round (a commit needs an
//! active attestor; a reveal only a commit, whatever became of the attestor since):
//!
//! 1. the model's Datanet version goes to the engine in chunks of [`Config::IngestChunk`]
//!    records (skipped when the engine holds it already). The payloads are read from the
//!    node's transaction index, or fetched from its peers over bitswap
//!    ([`payloads::fetch`](openledger_primitives::payloads::payloads::fetch)), and each is
//!    checked against its record's hash ([`training_set`]). The version's training set is
//!    fixed when it is published: a record moderation removed before that is left out (sent
//!    without payload, for everyone), and one removed after it stays in. The chain no longer
//!    points at its payload, and a payload may be kept nowhere this node can reach: then a
//!    node that does not hold the version already abstains ([`Missing`]) rather than answer
//!    from another set;
//! 2. the engine trains the model (or restores it), then, for an inference, predicts and
//!    attributes the input: all the commit round's inferences of one model in one engine call
//!    ([`engine::infer_batch`]), each answered exactly as alone;
//! 3. in its commit round, the attestor commits to the outcome ([`Pallet::commitment`]) if it
//!    is of the job's engine version (else it abstains, with a warning: this node runs another
//!    engine than the chain requires), and keeps the outcome in offchain local storage
//!    ([`keep_outcome`]); in its reveal round, it reveals the kept outcome with the same salt,
//!    so that an engine that is busy, restarted or failing never costs a committed reveal. (An
//!    outcome that is not kept is computed again.)
//!
//! Then the **watchtower** ([`watch`]): each active local attestor re-executes the pending
//! results of jobs outside its committees (a sample of `watch_sample` of them, drawn by
//! inference and account) and challenges one whose outcome differs from its own, within the
//! challenge window. The pool keeps one challenge per result, so nodes that race lose nothing.
//!
//! Each local attestor then sends all its commits of the block in one signed `commit_batch`,
//! and all its reveals in one `reveal_batch` (split at [`Config::MaxBatch`] items). Salts are
//! derived from a secret kept in this node's offchain storage ([`salt`]), so nothing per job
//! has to be stored, and no one else can open a commitment before its reveal.
//!
//! A claim in offchain local storage (per round, job and attestor, with the block it was made
//! in) keeps concurrent workers and later blocks from answering twice; it lapses after
//! [`RETRY_AFTER`] blocks, so a transaction lost from the pool is sent again. A transaction the
//! pool refuses releases its claims at once: the pool validates against its own latest block,
//! which may be behind the worker's (while the node syncs, or before the pool has processed the
//! block), and a reveal in the round this block opened would otherwise wait [`RETRY_AFTER`]
//! blocks, as long as the whole reveal round, and its attestor would be struck for not
//! revealing. Claims (and kept nonces, below) made before the node's last start lapse at once:
//! the pool their transactions were in did not survive the restart ([`WORKER_BOOT_KEY`]).
//!
//! Nonces: a worker runs for every imported block, and reads the account's nonce from that
//! block's state, which need not include the transaction a worker of the previous block has just
//! put in the pool. Two answers with the same nonce would replace each other in the pool, and
//! their jobs would wait [`RETRY_AFTER`] blocks. So each local attestor's next nonce is also kept
//! in offchain local storage ([`next_nonce`]), and workers send one at a time, under a lock.

use alloc::{collections::BTreeMap, vec, vec::Vec};

use codec::Encode;
use frame_support::{dispatch::DispatchClass, traits::Get, weights::Weight, BoundedVec};
use frame_system::{
	offchain::{AppCrypto, SendSignedTransaction, Signer, SigningTypes},
	pallet_prelude::BlockNumberFor,
};
use openledger_primitives::{
	apis::VersionRecord,
	attribution::{
		engine, AttributionError, InferBatchRequest, InferRequest, IngestChunk, TrainOutcome,
		TrainRequest, DEFAULT_WORKER_BUDGET_MS, WORKER_BOOT_KEY, WORKER_BUDGET_KEY,
	},
	models::Source,
	payloads::{payloads, training_set, Missing},
	traits::{DatanetInspect, ModelInspect},
};
use sp_core::{offchain::StorageKind, H256};
use sp_runtime::{
	offchain::{
		storage::{MutateStorageError, StorageValueRef},
		storage_lock::{StorageLock, Time},
		Duration,
	},
	traits::{IdentifyAccount, One, Saturating},
	RuntimeAppPublic, SaturatedConversion,
};

use crate::{
	Call, Commits, Config, ConsensusParams, Job, JobId, JobKind, Jobs, Outcome, Pallet, Pending,
	Requests, Reveals,
};

/// Blocks after which an unanswered claim may be made again.
pub const RETRY_AFTER: u32 = 10;

/// How far the locally kept nonce may run ahead of the chain's before it is distrusted (a
/// transaction of ours was lost, and the ones after it wait for the gap to be filled).
pub const NONCE_WINDOW: u32 = 16;

/// How long a worker may hold the sending lock.
const SEND_LOCK_MS: u64 = 2_000;

const LOG: &str = "attribution";

/// Why a job could not be answered.
#[derive(Debug)]
enum Skip {
	/// The model, its Datanet or version is gone.
	Unknown,
	/// The engine refused.
	Engine(AttributionError),
	/// A payload of the version's training set cannot be had (see [`Missing`]), and this node
	/// holds no copy of the version: it abstains rather than train on another set.
	Payload(Missing),
}

/// `(public key, account)` of every local `attr` key: those of active attestors commit and
/// watch, and every one that committed reveals.
pub fn local_keys<T: Config>() -> Vec<(T::Public, T::AccountId)> {
	<<T::AuthorityId as AppCrypto<T::Public, T::Signature>>::RuntimeAppPublic as RuntimeAppPublic>::all()
		.into_iter()
		.map(|key| {
			let generic: <T::AuthorityId as AppCrypto<T::Public, T::Signature>>::GenericPublic =
				key.into();
			let public: <T as SigningTypes>::Public = generic.into();
			let account = public.clone().into_account();
			(public, account)
		})
		.collect()
}

/// Slots of kept outcomes per local account: outcomes are kept from a commit to its reveal, a
/// few blocks, and a slot is reused [`KEPT_SLOTS`] jobs later, so the storage they take is
/// bounded.
pub const KEPT_SLOTS: u64 = 4096;

fn kept_key<T: Config>(job: JobId, account: &T::AccountId) -> Vec<u8> {
	(b"openledger/attribution/kept", account, job % KEPT_SLOTS).encode()
}

/// Keeps the outcome `account` committed to for `job`, for its reveal.
pub fn keep_outcome<T: Config>(job: JobId, account: &T::AccountId, outcome: &Outcome) {
	StorageValueRef::persistent(&kept_key::<T>(job, account)).set(&(job, outcome));
}

/// The outcome `account` committed to for `job`, if this node kept it.
pub fn kept_outcome<T: Config>(job: JobId, account: &T::AccountId) -> Option<Outcome> {
	let kept = StorageValueRef::persistent(&kept_key::<T>(job, account))
		.get::<(JobId, Outcome)>()
		.ok()
		.flatten()?;
	(kept.0 == job).then_some(kept.1)
}

/// A round of a job.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode)]
enum Round {
	Commit,
	Reveal,
	/// The watchtower's challenge (keyed by inference rather than job).
	Watch,
}

/// The node's start this worker runs in ([`WORKER_BOOT_KEY`]; 0 where the node counts none).
/// Claims and nonces are kept with it: those of an earlier start lapse, since the transactions
/// they stand for were in a pool that is gone.
fn boot() -> u64 {
	StorageValueRef::persistent(WORKER_BOOT_KEY).get::<u64>().ok().flatten().unwrap_or(0)
}

fn claim_key<T: Config>(round: Round, job: JobId, account: &T::AccountId) -> Vec<u8> {
	(b"openledger/attribution/claim", round, job, account).encode()
}

/// Claims `round` of `job` for `account` at block `now`: false if claimed less than
/// [`RETRY_AFTER`] blocks ago (by this or a concurrent worker) in this start of the node.
fn claim<T: Config>(
	round: Round,
	job: JobId,
	account: &T::AccountId,
	now: BlockNumberFor<T>,
) -> bool {
	let key = claim_key::<T>(round, job, account);
	let claim = StorageValueRef::persistent(&key);
	let boot = boot();
	let result =
		claim.mutate(|previous: Result<Option<(BlockNumberFor<T>, u64)>, _>| match previous {
			Ok(Some(made)) if standing::<T>(made, boot, now) => Err(()),
			_ => Ok((now, boot)),
		});
	match result {
		Ok(_) => true,
		Err(MutateStorageError::ValueFunctionFailed(())) => false,
		Err(MutateStorageError::ConcurrentModification(_)) => false,
	}
}

/// Whether a claim made at `(block, start of the node)` still stands at block `now`.
fn standing<T: Config>(
	(at, made_in): (BlockNumberFor<T>, u64),
	boot: u64,
	now: BlockNumberFor<T>,
) -> bool {
	made_in == boot && now < at.saturating_add(RETRY_AFTER.into())
}

/// Whether `round` of `job` is claimed for `account` at block `now` (see [`claim`]); it claims
/// nothing.
fn claimed<T: Config>(
	round: Round,
	job: JobId,
	account: &T::AccountId,
	now: BlockNumberFor<T>,
) -> bool {
	StorageValueRef::persistent(&claim_key::<T>(round, job, account))
		.get::<(BlockNumberFor<T>, u64)>()
		.ok()
		.flatten()
		.is_some_and(|made| standing::<T>(made, boot(), now))
}

/// Withdraws `account`'s claim of `round` of `job`: the pool refused its transaction, so the
/// next block's worker answers it again rather than wait [`RETRY_AFTER`] blocks.
fn release<T: Config>(round: Round, job: JobId, account: &T::AccountId) {
	StorageValueRef::persistent(&claim_key::<T>(round, job, account)).clear();
}

/// This node's secret for salts: 32 random bytes, made once and kept in offchain local storage.
fn secret() -> [u8; 32] {
	let stored = StorageValueRef::persistent(b"openledger/attribution/secret");
	let made = stored.mutate(|old: Result<Option<[u8; 32]>, _>| match old {
		Ok(Some(secret)) => Ok::<_, ()>(secret),
		_ => Ok(sp_io::offchain::random_seed()),
	});
	match made {
		Ok(secret) => secret,
		// A concurrent worker made it first.
		Err(_) => stored.get().ok().flatten().unwrap_or_else(sp_io::offchain::random_seed),
	}
}

/// The salt of `account`'s commitment to `job`: `blake2_256(secret ‖ job ‖ account)`, the same
/// at commit and reveal, and unknown to anyone without this node's secret.
pub fn salt<T: Config>(job: JobId, account: &T::AccountId) -> [u8; 32] {
	(secret(), job, account).using_encoded(sp_io::hashing::blake2_256)
}

fn nonce_key<T: Config>(account: &T::AccountId) -> Vec<u8> {
	(b"openledger/attribution/nonce", account).encode()
}

/// The nonce to sign `account`'s next transaction with at block `now`: the one after this
/// node's last transaction from it, if that is ahead of the chain's nonce by at most
/// [`NONCE_WINDOW`] and was sent less than [`RETRY_AFTER`] blocks ago in this start of the node;
/// else the chain's.
pub fn next_nonce<T: Config>(account: &T::AccountId, now: BlockNumberFor<T>) -> T::Nonce {
	let chain = frame_system::Pallet::<T>::account_nonce(account);
	let kept = StorageValueRef::persistent(&nonce_key::<T>(account))
		.get::<(T::Nonce, BlockNumberFor<T>, u64)>()
		.ok()
		.flatten();
	match kept {
		Some((next, at, made_in))
			if next > chain
				&& next <= chain.saturating_add(NONCE_WINDOW.into())
				&& now < at.saturating_add(RETRY_AFTER.into())
				&& made_in == boot() =>
		{
			next
		},
		_ => chain,
	}
}

/// Records that a transaction from `account` with `nonce` entered the pool at block `now`.
pub fn nonce_used<T: Config>(account: &T::AccountId, nonce: T::Nonce, now: BlockNumberFor<T>) {
	StorageValueRef::persistent(&nonce_key::<T>(account)).set(&(
		nonce.saturating_add(One::one()),
		now,
		boot(),
	));
}

/// Signs each call with its attestor's key and submits it, one at a time, with the nonces of
/// [`next_nonce`]. Returns, in order, the account of each and whether its transaction entered
/// the pool.
fn send<T: Config>(
	calls: Vec<(T::Public, Call<T>)>,
	now: BlockNumberFor<T>,
) -> Vec<(T::AccountId, Result<(), ()>)> {
	let mut lock = StorageLock::<Time>::with_deadline(
		b"openledger/attribution/send",
		Duration::from_millis(SEND_LOCK_MS),
	);
	let _guard = lock.lock();
	let mut results = Vec::new();
	for (public, call) in calls {
		let account = public.clone().into_account();
		let nonce = next_nonce::<T>(&account, now);
		// The worker's copy of the state is never persisted: this only tells the signer which
		// nonce to use.
		frame_system::Account::<T>::mutate(&account, |a| a.nonce = nonce);
		let sent = Signer::<T, T::AuthorityId>::all_accounts()
			.with_filter(alloc::vec![public])
			.send_signed_transaction(|_| call.clone());
		let mut result = Err(());
		for (_, r) in sent {
			if r.is_ok() {
				nonce_used::<T>(&account, nonce, now);
				result = Ok(());
			}
		}
		results.push((account, result));
	}
	results
}

/// Makes sure the engine holds `model` trained; returns the training outcome.
fn ensure_trained<T: Config>(model: u32) -> Result<TrainOutcome, Skip> {
	let summary = T::Models::model(model).ok_or(Skip::Unknown)?;
	for source in &summary.sources {
		ingest::<T>(source)?;
	}
	engine::train(TrainRequest { model, sources: summary.sources, spec: summary.spec })
		.map_err(Skip::Engine)
}

/// Makes sure the engine holds `source`'s version whole: sends what it lacks, in chunks of
/// `IngestChunk` records, as the version was published.
fn ingest<T: Config>(source: &Source) -> Result<(), Skip> {
	let schema = T::Datanets::schema(source.datanet).ok_or(Skip::Unknown)?;
	let version = T::Datanets::version(source.datanet, source.version).ok_or(Skip::Unknown)?;
	let dataset = source.dataset();
	let mut offset = match engine::progress(dataset) {
		Some((received, total)) if total == version.count => received,
		_ => 0,
	};
	let chunk = T::IngestChunk::get().max(1);
	let published: u32 = version.block.saturated_into();
	while offset < version.count {
		let end = offset.saturating_add(chunk).min(version.count);
		// Whoever contributed them does not matter here. A position the log lacks (never,
		// while versions are within it) keeps its place.
		let page = (offset..end)
			.map(|i| match T::Datanets::record_at(source.datanet, i) {
				Some(r) => VersionRecord {
					index: r.index,
					record: r.record,
					contributor: (),
					label: r.label,
					payload: r.payload,
					removed_at: r.removed_at,
				},
				None => VersionRecord {
					index: i,
					record: H256::zero(),
					contributor: (),
					label: 0,
					payload: None,
					removed_at: None,
				},
			})
			.collect();
		let records = training_set(page, published, payloads::fetch).map_err(Skip::Payload)?;
		let request = IngestChunk { dataset, schema, total: version.count, offset, records };
		offset = engine::ingest(request).map_err(Skip::Engine)?;
	}
	Ok(())
}

/// The outcome that answers `kind`.
fn answer<T: Config>(kind: JobKind, input: &[u8]) -> Result<Outcome, Skip> {
	match kind {
		JobKind::Train { model } => Ok(Outcome::Train(ensure_trained::<T>(model)?)),
		JobKind::Infer { model, .. } | JobKind::Recheck { model, .. } => {
			if !engine::has_model(model) {
				ensure_trained::<T>(model)?;
			}
			let top_k = T::MaxTopK::get();
			let outcome = engine::infer(InferRequest { model, input: input.to_vec(), top_k })
				.map_err(Skip::Engine)?;
			Ok(Outcome::from(outcome))
		},
	}
}

/// The most queries one engine call answers. Jobs are batched by model, and a batch started
/// within the budget runs to its end: without a bound, a flood of paid inferences on one slow
/// model (replay, about 58 ms a query in a batch) would hold the worker for seconds past its
/// budget, ahead of other models' earlier deadlines.
pub const MAX_QUERIES_PER_CALL: usize = 32;

/// The outcomes of the commit round's inference jobs of `open` that a local key may take
/// ([`may_take`]) and has not claimed yet ([`claimed`]; nothing is claimed here), by job: one engine call per model answers all of
/// that model's jobs, [`MAX_QUERIES_PER_CALL`] at a time ([`engine::infer_batch`], each answer
/// what [`answer`] would give alone).
/// Models are taken in the order of their first job, while the budget lasts; a job left out is
/// answered alone by the worker's loop, if the budget allows.
fn infer_batched<T: Config>(
	locals: &[(T::Public, T::AccountId)],
	open: &[(JobId, Job<T>)],
	now: BlockNumberFor<T>,
	budget: &Budget,
) -> BTreeMap<JobId, Result<Outcome, Skip>> {
	let mut by_model: Vec<(u32, Vec<JobId>, Vec<Vec<u8>>)> = Vec::new();
	for (job, j) in open {
		let (JobKind::Infer { model, .. } | JobKind::Recheck { model, .. }) = j.kind else {
			continue;
		};
		let takes = |(_, a): &(T::Public, T::AccountId)| {
			may_take::<T>(Round::Commit, *job, j, a) && !claimed::<T>(Round::Commit, *job, a, now)
		};
		if j.revealing || !locals.iter().any(takes) {
			continue;
		}
		match by_model.iter_mut().find(|(m, ..)| *m == model) {
			Some((_, jobs, inputs)) => {
				jobs.push(*job);
				inputs.push(j.input.to_vec());
			},
			None => by_model.push((model, vec![*job], vec![j.input.to_vec()])),
		}
	}
	let mut outcomes = BTreeMap::new();
	for (model, jobs, inputs) in by_model {
		if budget.spent() {
			break;
		}
		if !engine::has_model(model) {
			if let Err(e) = ensure_trained::<T>(model) {
				// Each job meets the same failure in the loop, which says what to do with it.
				log::debug!(target: LOG, "model {model}: not trained ({e:?}), its jobs wait");
				continue;
			}
		}
		let top_k = T::MaxTopK::get();
		for (jobs, inputs) in
			jobs.chunks(MAX_QUERIES_PER_CALL).zip(inputs.chunks(MAX_QUERIES_PER_CALL))
		{
			if budget.spent() {
				return outcomes;
			}
			let inputs = inputs.to_vec();
			let answers = engine::infer_batch(InferBatchRequest { model, inputs, top_k });
			log::debug!(target: LOG, "model {model}: {} jobs answered in one engine call", jobs.len());
			for (job, answer) in jobs.iter().zip(answers) {
				outcomes.insert(*job, answer.map(Outcome::from).map_err(Skip::Engine));
			}
		}
	}
	outcomes
}

/// The indices of the local attestors (of `locals`) that may take `round` of `job` now,
/// claimed.
fn takers<T: Config>(
	locals: &[(T::Public, T::AccountId)],
	round: Round,
	job: JobId,
	j: &Job<T>,
	now: BlockNumberFor<T>,
) -> Vec<usize> {
	locals
		.iter()
		.enumerate()
		.filter(|(_, (_, account))| may_take::<T>(round, job, j, account))
		.filter(|(_, (_, account))| claim::<T>(round, job, account, now))
		.map(|(i, _)| i)
		.collect()
}

/// Whether `account` has `round` of `job` to answer: a commit needs an active attestor of the
/// committee that has not committed; a reveal only a commit not yet revealed.
fn may_take<T: Config>(round: Round, job: JobId, j: &Job<T>, account: &T::AccountId) -> bool {
	match round {
		Round::Commit => {
			j.committee.contains(account)
				&& !Commits::<T>::contains_key(job, account)
				&& Pallet::<T>::is_active_attestor(account)
		},
		Round::Reveal => {
			Commits::<T>::contains_key(job, account) && !Reveals::<T>::contains_key(job, account)
		},
		Round::Watch => false,
	}
}

/// The open jobs in the order the worker takes them: earliest deadline first, then oldest.
/// Storage iterates in hash order, which would let a spammer's jobs crowd out those about to
/// expire.
pub fn schedule<T: Config>(now: BlockNumberFor<T>) -> Vec<(JobId, Job<T>)> {
	let mut open: Vec<(JobId, Job<T>)> =
		Jobs::<T>::iter().filter(|(_, j)| now <= j.deadline).collect();
	open.sort_by_key(|(job, j)| (j.deadline, *job));
	open
}

/// The worker's time budget for one block. It is checked before each model's batch of
/// inferences ([`infer_batched`], by their earliest job) and before each other job: once it is
/// spent, the jobs left wait for the next block's worker (mostly the latest deadlines, since
/// jobs are taken earliest deadline first), while those already computed are still answered. A
/// batch or job started within it runs to its end, so a training job may overrun it; the
/// engine's own limits bound that.
#[derive(Clone, Copy, Debug)]
pub struct Budget {
	start: u64,
	ms: u64,
}

impl Budget {
	/// Starts the budget now, for the node's `--attribution-worker-ms`.
	pub fn start() -> Self {
		let ms = StorageValueRef::persistent(WORKER_BUDGET_KEY)
			.get::<u64>()
			.ok()
			.flatten()
			.unwrap_or(DEFAULT_WORKER_BUDGET_MS);
		Self { start: sp_io::offchain::timestamp().unix_millis(), ms }
	}

	/// Milliseconds since the start.
	pub fn elapsed(&self) -> u64 {
		sp_io::offchain::timestamp().unix_millis().saturating_sub(self.start)
	}

	/// Whether the budget is used up.
	pub fn spent(&self) -> bool {
		self.elapsed() >= self.ms
	}
}

/// The most weight one batch of the worker's may have: half of the share of a block that normal
/// transactions cannot use (the attestations' lane), so that a batch fits a block however full
/// of normal transactions it is, next to another batch; half of an operational transaction's
/// limit where the runtime reserves no such share.
pub fn batch_limit<T: Config>() -> Weight {
	let weights = <T as frame_system::Config>::BlockWeights::get();
	let operational =
		weights.get(DispatchClass::Operational).max_extrinsic.unwrap_or(weights.max_block);
	let lane = weights
		.get(DispatchClass::Normal)
		.max_total
		.map_or(Weight::zero(), |normal| weights.max_block.saturating_sub(normal));
	if lane == Weight::zero() { operational } else { lane.min(operational) }.saturating_div(2)
}

/// `items` in batches in order: each of at most [`Config::MaxBatch`] items, and of at most
/// [`batch_limit`], by `weight_of` each item.
pub fn batches<T: Config, I: Clone>(
	items: Vec<I>,
	weight_of: impl Fn(&I) -> Weight,
) -> Vec<BoundedVec<I, T::MaxBatch>> {
	let limit = batch_limit::<T>();
	let max = T::MaxBatch::get().max(1) as usize;
	let mut out: Vec<BoundedVec<I, T::MaxBatch>> = Vec::new();
	let mut current: Vec<I> = Vec::new();
	let mut weight = Weight::zero();
	for item in items {
		let w = weight_of(&item);
		if !current.is_empty() && (current.len() >= max || weight.saturating_add(w).any_gt(limit)) {
			out.push(BoundedVec::truncate_from(core::mem::take(&mut current)));
			weight = Weight::zero();
		}
		weight = weight.saturating_add(w);
		current.push(item);
	}
	if !current.is_empty() {
		out.push(BoundedVec::truncate_from(current));
	}
	out
}

/// The outcome `account` reveals for `job`: the one it kept at its commit, or else computed
/// again.
fn revealed<T: Config>(
	job: JobId,
	j: &Job<T>,
	account: &T::AccountId,
	computed: &mut Option<Result<Outcome, Skip>>,
) -> Result<Outcome, ()> {
	if let Some(outcome) = kept_outcome::<T>(job, account) {
		return Ok(outcome);
	}
	match computed.get_or_insert_with(|| answer::<T>(j.kind, &j.input)) {
		Ok(outcome) => Ok(outcome.clone()),
		Err(_) => Err(()),
	}
}

/// The engine version of an outcome.
fn version_of(outcome: &Outcome) -> u32 {
	match outcome {
		Outcome::Train(o) => o.engine_version,
		Outcome::Infer { engine_version, .. }
		| Outcome::Generate { engine_version, .. }
		| Outcome::Trace { engine_version, .. } => *engine_version,
	}
}

/// The worker's entry point.
pub fn run<T: Config>(now: BlockNumberFor<T>) {
	let keys = local_keys::<T>();
	if keys.is_empty() {
		return;
	}
	let budget = Budget::start();
	let mut calls = Vec::new();
	let mut answered: Vec<(Round, Vec<JobId>)> = Vec::new();
	if !answer_jobs::<T>(&keys, now, &budget, &mut calls, &mut answered) {
		return;
	}
	watch::<T>(&keys, now, &budget, &mut calls, &mut answered);
	if calls.is_empty() {
		return;
	}
	for ((account, result), (round, jobs)) in send::<T>(calls, now).into_iter().zip(answered) {
		let (commits, reveals, challenges) = match round {
			Round::Commit => (jobs.len(), 0, 0),
			Round::Reveal => (0, jobs.len(), 0),
			Round::Watch => (0, 0, jobs.len()),
		};
		match result {
			Ok(()) => log::info!(
				target: LOG,
				"{commits} commits, {reveals} reveals and {challenges} challenges sent by \
				 {account:?} ({} ms)",
				budget.elapsed()
			),
			// A pool whose state is behind this block's (while the node syncs, or before it has
			// processed the block) refuses an answer that is valid here, such as a reveal in the
			// round this block opened. Released, it is sent again from the next block.
			Err(()) => {
				for job in &jobs {
					release::<T>(round, *job, &account);
				}
				log::warn!(
					target: LOG,
					"{commits} commits, {reveals} reveals and {challenges} challenges of \
					 {account:?} were refused by the transaction pool: tried again from the next \
					 block"
				)
			},
		}
	}
}

/// Answers the open jobs of the local keys' committees (see the [module](self) docs): pushes
/// the calls to send, with the round and jobs each answers. False if this node has no engine.
fn answer_jobs<T: Config>(
	locals: &[(T::Public, T::AccountId)],
	now: BlockNumberFor<T>,
	budget: &Budget,
	calls: &mut Vec<(T::Public, Call<T>)>,
	answered: &mut Vec<(Round, Vec<JobId>)>,
) -> bool {
	// Each local key's answers in this block.
	let mut commits: Vec<Vec<(JobId, H256)>> = locals.iter().map(|_| Vec::new()).collect();
	let mut reveals: Vec<Vec<(JobId, [u8; 32], Outcome)>> =
		locals.iter().map(|_| Vec::new()).collect();
	// The most members among each local key's reveals: its batches' witness.
	let mut witness: Vec<u32> = locals.iter().map(|_| 0).collect();
	let open = schedule::<T>(now);
	let mut batched = infer_batched::<T>(locals, &open, now, budget);
	let total = open.len();
	let mut waiting = 0;
	for (job, j) in open {
		// An outcome already computed costs nothing more: only the others wait for the budget.
		if !batched.contains_key(&job) && budget.spent() {
			waiting += 1;
			continue;
		}
		let round = if j.revealing { Round::Reveal } else { Round::Commit };
		let members = takers::<T>(locals, round, job, &j, now);
		if members.is_empty() {
			continue;
		}
		if round == Round::Reveal {
			let mut computed = None;
			for i in members {
				let account = &locals[i].1;
				match revealed::<T>(job, &j, account, &mut computed) {
					Ok(outcome) => {
						witness[i] = witness[i].max(Pallet::<T>::reveal_members(&j));
						reveals[i].push((job, salt::<T>(job, account), outcome));
					},
					// Not lost: tried again from the next block, within the reveal round.
					Err(()) => release::<T>(round, job, account),
				}
			}
			if let Some(Err(e)) = computed {
				log::warn!(target: LOG, "job {job} ({:?}): reveal waits, {e:?}", j.kind);
			}
			continue;
		}
		let outcome = match batched.remove(&job).unwrap_or_else(|| answer::<T>(j.kind, &j.input)) {
			Ok(outcome) => outcome,
			Err(Skip::Engine(AttributionError::Unavailable)) => {
				log::warn!(target: LOG, "this node has an attr key but no engine: not answering");
				return false;
			},
			Err(Skip::Payload(missing)) => {
				log::warn!(
					target: LOG,
					"job {job} ({:?}): {missing}, and this node holds no copy of the version: \
					 abstaining",
					j.kind
				);
				continue;
			},
			// Busy: another worker is training this model; the next block's worker commits.
			Err(Skip::Engine(AttributionError::Busy)) => {
				for i in members {
					release::<T>(round, job, &locals[i].1);
				}
				continue;
			},
			Err(e) => {
				log::warn!(target: LOG, "job {job} ({:?}) not answered: {e:?}", j.kind);
				continue;
			},
		};
		if version_of(&outcome) != j.engine_version {
			log::warn!(
				target: LOG,
				"job {job} ({:?}) requires engine version {}, and this node runs {}: abstaining \
				 (upgrade the node)",
				j.kind,
				j.engine_version,
				version_of(&outcome)
			);
			continue;
		}
		log::debug!(target: LOG, "job {job} ({:?}): commit by {} local attestors", j.kind, members.len());
		for i in members {
			let account = &locals[i].1;
			let salt = salt::<T>(job, account);
			keep_outcome::<T>(job, account, &outcome);
			commits[i].push((job, Pallet::<T>::commitment(job, account, &salt, &outcome)));
		}
	}
	if waiting > 0 {
		log::warn!(
			target: LOG,
			"the worker's time budget ({} ms) is spent: {waiting} of {total} open jobs wait for \
			 the next block",
			budget.ms,
		);
	}
	for ((((public, _), commits), reveals), members) in
		locals.iter().zip(commits).zip(reveals).zip(witness)
	{
		for items in batches::<T, _>(commits, |_| Pallet::<T>::commit_batch_weight(1)) {
			answered.push((Round::Commit, items.iter().map(|(job, _)| *job).collect()));
			calls.push((public.clone(), Call::commit_batch { items }));
		}
		for items in batches::<T, _>(reveals, |item| {
			Pallet::<T>::reveal_batch_weight(core::slice::from_ref(item), members)
		}) {
			answered.push((Round::Reveal, items.iter().map(|(job, ..)| *job).collect()));
			calls.push((public.clone(), Call::reveal_batch { items, members }));
		}
	}
	true
}

/// Whether `account` watches `inference`: with probability `sample`, by
/// `blake2_256("watch" ‖ inference ‖ account)`, so each node's sample is its own and fixed.
pub fn watches<T: Config>(
	inference: crate::InferenceId,
	account: &T::AccountId,
	sample: sp_runtime::Perbill,
) -> bool {
	let seed = (b"watch", inference, account).using_encoded(sp_io::hashing::blake2_256);
	let draw = u32::from_le_bytes([seed[0], seed[1], seed[2], seed[3]]) % 1_000_000_000;
	draw < sample.deconstruct()
}

/// The key under which a node notes, in its off-chain local storage (`PERSISTENT`), that it
/// answered the extrinsic of hash `extrinsic` before the block (`attribution_answer`): its
/// watchtower then re-executes that inference's pending result whatever its sample, so that a
/// committee that decides otherwise than the node answered is challenged, and the node's signed
/// answer is not reported against a wrong result unopposed.
pub fn answered_key(extrinsic: H256) -> Vec<u8> {
	(b"openledger/answered/", extrinsic).encode()
}

/// Whether this node answered inference `inference`'s request before the block: the key to
/// clear once its result is watched.
fn answered_here<T: Config>(inference: crate::InferenceId) -> Option<Vec<u8>> {
	let key = answered_key(Requests::<T>::get(inference)?.extrinsic);
	sp_io::offchain::local_storage_get(StorageKind::PERSISTENT, &key).map(|_| key)
}

/// The watchtower: re-executes the pending results, in their challenge windows, of jobs outside
/// the committees of the active local attestors (those of [`watches`], and those this node
/// answered early, [`answered_key`]), and challenges, from one local attestor, each result
/// whose outcome differs from this node's. A challenge is sent only if it would be admitted
/// ([`Pallet::can_challenge`]). Works within what is left of the time budget.
fn watch<T: Config>(
	locals: &[(T::Public, T::AccountId)],
	now: BlockNumberFor<T>,
	budget: &Budget,
	calls: &mut Vec<(T::Public, Call<T>)>,
	answered: &mut Vec<(Round, Vec<JobId>)>,
) {
	let active: Vec<&(T::Public, T::AccountId)> =
		locals.iter().filter(|(_, a)| Pallet::<T>::is_active_attestor(a)).collect();
	if active.is_empty() {
		return;
	}
	let sample = ConsensusParams::<T>::get().watch_sample;
	// Earliest window first.
	let mut pending: Vec<_> =
		Pending::<T>::iter().filter(|(_, p)| p.challenge.is_none() && now < p.matures).collect();
	pending.sort_by_key(|(inference, p)| (p.matures, *inference));
	for (inference, p) in pending {
		if budget.spent() {
			break;
		}
		let early = answered_here::<T>(inference);
		let Some((public, account)) = active.iter().copied().find(|(_, a)| {
			!p.committee.contains(a) && (early.is_some() || watches::<T>(inference, a, sample))
		}) else {
			continue;
		};
		if !claim::<T>(Round::Watch, inference, account, now) {
			continue;
		}
		let kind = JobKind::Recheck { inference, model: p.model };
		let mine = match answer::<T>(kind, &p.input) {
			Ok(outcome) => outcome,
			Err(e) => {
				log::warn!(target: LOG, "inference {inference}: not re-executed, {e:?}");
				release::<T>(Round::Watch, inference, account);
				continue;
			},
		};
		if version_of(&mine) != p.outcome.engine_version() {
			continue;
		}
		if let Some(key) = &early {
			// Watched once: the note has served.
			sp_io::offchain::local_storage_clear(StorageKind::PERSISTENT, key);
		}
		// A stored outcome hashes as the outcome it was revealed as.
		if H256(mine.using_encoded(sp_io::hashing::blake2_256)) == p.outcome.hash() {
			log::debug!(target: LOG, "inference {inference}: the pending result checks out");
			continue;
		}
		if let Err(e) = Pallet::<T>::can_challenge(account, inference) {
			log::warn!(
				target: LOG,
				"inference {inference}: this node disagrees with the pending result but cannot \
				 challenge it: {e:?}"
			);
			continue;
		}
		log::warn!(
			target: LOG,
			"inference {inference}: the pending result differs from this node's: challenging \
			 as {account:?}"
		);
		answered.push((Round::Watch, alloc::vec![inference]));
		calls.push((public.clone(), Call::challenge { inference }));
	}
}
