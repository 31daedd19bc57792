//! The classifiers through the API: training a softmax regression or an MLP on its sources (or
//! restoring it from its file), with its attribution method (the spec's: the influence function,
//! or replay of its training), quality flags and accuracy, and inference with the top
//! proponents and opponents as shares.
//!
//! A source of weight `w` puts each of its training records in the training set `w` times,
//! each copy with a key of its own, so that the copies fall in different minibatches. A
//! record's score is the sum of its copies' scores: removing the record removes every copy.

use std::{collections::HashMap, sync::Arc};

use candle_core::Tensor;
use codec::Encode;
use openledger_primitives::{
	attribution::MAX_SUSPECTS,
	datanets::{record_hash, ClassLabel, Schema},
	models::{Architecture, AttributionMethod, ModelId, ModelSpec, Source},
};
use sp_runtime::Perbill;

use super::{
	hex,
	store::{self, Stored},
	Answer, Engine, Kind, Model, Prediction, Record, TrainReport,
};
use crate::{
	classifier::{
		featurize::featurize,
		holdout::is_held_out,
		methods::{exact::ExactInfluence, kfac::KfacInfluence, replay::Replay, Attribution},
		model::Network,
		quality,
		train::{correct, train, Hyper},
	},
	error::EngineError,
	numeric::tensor::{from_rows, values},
	shares::{shares_of, RecordShare, BILLION},
};

/// The damping added to the Hessian of softmax regression.
pub const EXACT_DAMPING: f64 = 1e-6;
/// The damping of the K-FAC factors of an MLP (the best of 1e-5..1e-2 on digits).
pub const KFAC_DAMPING: f64 = 1e-5;

/// The sources' records as a model trains on them.
pub(super) struct TrainingSet {
	pub(super) schema: Schema,
	/// Every record of the sources, each once, by training position.
	pub(super) records: Vec<Arc<Record>>,
	/// Features of the training records, `[n, D]`.
	pub(super) x: Tensor,
	pub(super) labels: Vec<usize>,
	/// The training records' hashes, which order each epoch.
	pub(super) keys: Vec<[u8; 32]>,
	/// The training records' positions (a record of weight `w` `w` times).
	pub(super) positions: Vec<u32>,
	/// Features of the held-out records.
	pub(super) test_x: Tensor,
	pub(super) test_labels: Vec<usize>,
}

/// The scores of the training rows summed by record: `positions` names each row's record (a
/// record of weight `w` has `w` rows), and the result names each record once, in the order of
/// its first row. With no copies it is the input itself.
pub(super) fn by_record(positions: &[u32], scores: &[f64]) -> (Vec<u32>, Vec<f64>) {
	let mut index: HashMap<u32, usize> = HashMap::with_capacity(positions.len());
	let (mut records, mut sums) = (Vec::new(), Vec::new());
	for (p, s) in positions.iter().zip(scores) {
		match index.get(p) {
			Some(&i) => sums[i] += s,
			None => {
				index.insert(*p, records.len());
				records.push(*p);
				sums.push(*s);
			},
		}
	}
	(records, sums)
}

/// The `k` largest of `sign · score` that are positive, as shares, highest first (ties by
/// position), of records named once each ([`by_record`]).
fn top(scores: &[f64], positions: &[u32], k: usize, sign: f64) -> Vec<RecordShare> {
	let mut ranked: Vec<(f64, u32)> = scores
		.iter()
		.zip(positions)
		.map(|(s, p)| (sign * s, *p))
		.filter(|(s, _)| s.is_finite() && *s > 0.0)
		.collect();
	ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
	ranked.truncate(k);
	let scores: Vec<f64> = ranked.iter().map(|(s, _)| *s).collect();
	ranked
		.iter()
		.zip(shares_of(&scores))
		.map(|((_, record), ppb)| RecordShare {
			record: *record,
			share: Perbill::from_parts(ppb as u32),
		})
		.collect()
}

/// The key that orders copy `copy` of a record of hash `hash` in each epoch: the hash itself
/// for the first, `blake3("copy" ‖ hash ‖ copy)` for the others.
fn copy_key(hash: &[u8; 32], copy: u8) -> [u8; 32] {
	if copy == 0 {
		return *hash;
	}
	let mut hasher = blake3::Hasher::new();
	hasher.update(b"copy");
	hasher.update(hash);
	hasher.update(&[copy]);
	*hasher.finalize().as_bytes()
}

/// The sources as the model file's metadata names them: `datanet/version:records*weight`,
/// comma-separated.
pub(super) fn sources_text(sources: &[Source]) -> String {
	let text: Vec<String> = sources
		.iter()
		.map(|s| format!("{}/{}:{}*{}", s.datanet, s.version, s.records, s.weight))
		.collect();
	text.join(",")
}

impl Engine {
	/// Trains classifier `id` by `spec` on `sources` ([`Engine::train_on`] has checked the
	/// budget and marked it as in training), or restores it from its file.
	pub(super) fn train_classifier(
		&self,
		id: ModelId,
		sources: &[Source],
		spec: &ModelSpec,
	) -> Result<TrainReport, EngineError> {
		let TrainingSet { schema, records, x, labels, keys, positions, test_x, test_labels } =
			self.training_set(sources, spec)?;
		let hyper = Hyper::from(spec);
		let spec_hex = hex(&spec.encode());
		// Replay needs the training's trajectory, so a model attributed by replay is trained
		// again rather than restored: its preparation is its training.
		let restored = match spec.method {
			AttributionMethod::Influence => self.restore(id, sources, &spec_hex)?,
			AttributionMethod::Replay => None,
		};
		let init =
			|| Network::init(&spec.architecture, x.dim(1)?, schema.classes().into(), spec.seed);
		let (network, restored, replay) = match (restored, spec.method) {
			(Some(stored), _) => (stored.network, true, None),
			(None, AttributionMethod::Influence) => {
				(train(init()?, &x, &labels, &keys, &hyper)?.network, false, None)
			},
			(None, AttributionMethod::Replay) => {
				let replay = Replay::new(init()?, &x, &labels, &keys, &hyper)?;
				(replay.network().clone(), false, Some(replay))
			},
		};
		let (right, counted) = if test_labels.is_empty() {
			(correct(&network, &x, &labels)?, labels.len())
		} else {
			(correct(&network, &test_x, &test_labels)?, test_labels.len())
		};
		let influence: Box<dyn Attribution> = match spec.architecture {
			Architecture::SoftmaxRegression => {
				Box::new(ExactInfluence::new(&network, &x, &labels, hyper.l2, EXACT_DAMPING)?)
			},
			Architecture::Mlp1 { .. } | Architecture::Mlp2 { .. } => {
				Box::new(KfacInfluence::new(&network, &x, &labels, KFAC_DAMPING)?)
			},
			Architecture::InfiniGram { .. } | Architecture::External { .. } => {
				return Err(EngineError::SpecOutOfBounds("an index is built, not trained"))
			},
		};
		// The quality flags come from the influence function's self-influence whatever the
		// method: replay would need a reverse pass per record.
		let (trained, self_influence) = by_record(&positions, &influence.self_influence()?);
		let report = TrainReport {
			accuracy: (right as u64 * BILLION / counted.max(1) as u64) as u32,
			weights_hash: network.weights_hash()?,
			// Each record once, whatever its weight (copies are next to one another).
			records: {
				let mut distinct = positions.clone();
				distinct.dedup();
				distinct.len() as u32
			},
			held_out: test_labels.len() as u32,
			restored,
			suspects: quality::suspects(&trained, &self_influence, MAX_SUSPECTS as usize),
			duplicates: Self::near_duplicates(&schema, &records),
		};
		if let (Some(dir), false) = (&self.dir, restored) {
			let metadata = HashMap::from([
				("spec".to_string(), spec_hex),
				("schema".to_string(), hex(&schema.encode())),
				("sources".to_string(), sources_text(sources)),
				("weights_hash".to_string(), hex(report.weights_hash.as_bytes())),
			]);
			let stored = Stored { network: network.clone(), metadata };
			store::save(&store::path(dir, id), &stored)?;
		}
		if let Some(dir) = &self.dir {
			Self::touch(&mut self.state(), id, true);
			self.prune_files(dir, id);
		}
		let attribution: Box<dyn Attribution> = match replay {
			Some(replay) => Box::new(replay),
			None => influence,
		};
		let self_influence = (trained, self_influence);
		let kind = Kind::Classifier { network, positions, attribution, self_influence };
		let model =
			Model { sources: sources.to_vec(), spec: *spec, schema, kind, report: report.clone() };
		self.keep(id, model);
		Ok(report)
	}

	/// The saved model `id`, if it was trained by `spec_hex` on `sources` and its weights hash
	/// still matches.
	fn restore(
		&self,
		id: ModelId,
		sources: &[Source],
		spec_hex: &str,
	) -> Result<Option<Stored>, EngineError> {
		let Some(dir) = &self.dir else { return Ok(None) };
		let file = store::path(dir, id);
		if !file.exists() {
			return Ok(None);
		}
		let stored = store::load(&file)?;
		let meta = |k: &str| stored.metadata.get(k).map(String::as_str);
		let same = meta("spec") == Some(spec_hex)
			&& meta("sources") == Some(&sources_text(sources))
			&& meta("weights_hash") == Some(&hex(stored.network.weights_hash()?.as_bytes()));
		Ok(same.then_some(stored))
	}

	/// The features and labels of `sources` under `spec`, split into training and held-out
	/// records, with the training records' keys and positions: a record of weight `w` is
	/// trained on `w` times, and held out once.
	pub(super) fn training_set(
		&self,
		sources: &[Source],
		spec: &ModelSpec,
	) -> Result<TrainingSet, EngineError> {
		let (schema, records) = self.records_of(sources, spec)?;
		let weights = sources.iter().flat_map(|s| (0..s.records).map(move |_| s.weight));
		let (mut train_rows, mut labels, mut positions) = (Vec::new(), Vec::new(), Vec::new());
		let (mut keys, mut test_rows, mut test_labels) = (Vec::new(), Vec::new(), Vec::new());
		for ((i, r), weight) in records.iter().enumerate().zip(weights) {
			if r.payload.is_empty() {
				continue;
			}
			let x = featurize(&spec.featurizer, &schema, &r.payload, i)?;
			let hash = record_hash(&r.payload, r.label);
			if is_held_out(&hash) {
				test_rows.push(x);
				test_labels.push(usize::from(r.label));
				continue;
			}
			for copy in 0..weight {
				train_rows.push(x.clone());
				labels.push(usize::from(r.label));
				keys.push(copy_key(&hash.0, copy));
				positions.push(i as u32);
			}
		}
		if train_rows.is_empty() {
			return Err(EngineError::EmptyTrainingSet);
		}
		Ok(TrainingSet {
			schema,
			x: from_rows(&train_rows)?,
			records,
			labels,
			keys,
			positions,
			test_x: from_rows(&test_rows)?,
			test_labels,
		})
	}

	/// Predicts the label of `input` with classifier `model` (its `network`, the version
	/// positions of its training records and its `attribution`), and attributes it: the `top_k`
	/// strongest proponents and opponents among the training records.
	pub(super) fn classify(
		model: &Model,
		network: &Network,
		positions: &[u32],
		attribution: &dyn Attribution,
		input: &[u8],
		top_k: usize,
	) -> Result<Prediction, EngineError> {
		let features = Self::query_features(model, input)?;
		let mut predictions =
			Self::predict(network, positions, attribution, vec![features], top_k)?;
		predictions.pop().ok_or(EngineError::Tensor("no prediction for one query".into()))
	}

	/// [`Engine::classify`] of every input in one pass: the inputs that fit the schema are
	/// predicted and scored as one matrix of queries, and each is answered exactly as alone, bit
	/// for bit (every query's probabilities and scores are computed in the same order whatever
	/// the other queries: `a_batch_answers_each_input_as_alone`). An input that does not fit
	/// fails alone.
	pub(super) fn classify_batch(
		model: &Model,
		network: &Network,
		positions: &[u32],
		attribution: &dyn Attribution,
		inputs: &[Vec<u8>],
		top_k: usize,
	) -> Vec<Result<Prediction, EngineError>> {
		let features: Vec<Result<Vec<f64>, EngineError>> =
			inputs.iter().map(|input| Self::query_features(model, input)).collect();
		let rows: Vec<Vec<f64>> =
			features.iter().filter_map(|f| f.as_ref().ok().cloned()).collect();
		let mut predicted = match rows.is_empty() {
			true => Ok(Vec::new()),
			false => Self::predict(network, positions, attribution, rows, top_k),
		}
		.map(Vec::into_iter);
		features
			.into_iter()
			.map(|f| {
				f?;
				match &mut predicted {
					Ok(each) => each
						.next()
						.ok_or(EngineError::Tensor("fewer predictions than queries".into())),
					Err(e) => Err(e.clone()),
				}
			})
			.collect()
	}

	/// The features of a query, or `MalformedInput`.
	fn query_features(model: &Model, input: &[u8]) -> Result<Vec<f64>, EngineError> {
		featurize(&model.spec.featurizer, &model.schema, input, 0).map_err(|e| match e {
			EngineError::MalformedRecord { reason, .. } => EngineError::MalformedInput(reason),
			other => other,
		})
	}

	/// Predicts and attributes the queries of `rows` (at least one), in order.
	fn predict(
		network: &Network,
		positions: &[u32],
		attribution: &dyn Attribution,
		rows: Vec<Vec<f64>>,
		top_k: usize,
	) -> Result<Vec<Prediction>, EngineError> {
		let m = rows.len();
		let queries = from_rows(&rows)?;
		let probs = values(&network.forward(&queries)?.probs)?.to_vec();
		let classes = probs.len() / m;
		let probs: Vec<&[f64]> = probs.chunks(classes).collect();
		let labels: Vec<usize> = probs
			.iter()
			.map(|p| {
				p.iter().enumerate().fold(0, |best, (c, v)| if *v > p[best] { c } else { best })
			})
			.collect();
		// `[n, m]`: column `q` is query `q`'s scores.
		let scores = values(&attribution.scores(&queries, &labels)?)?.to_vec();
		Ok((0..m)
			.map(|q| {
				let column: Vec<f64> = scores.iter().skip(q).step_by(m).copied().collect();
				// Each record's rows summed once, for both sides.
				let (records, scores) = by_record(positions, &column);
				Prediction {
					answer: Answer::Class {
						label: labels[q] as ClassLabel,
						probabilities: shares_of(probs[q]).into_iter().map(|p| p as u32).collect(),
					},
					proponents: top(&scores, &records, top_k, 1.0),
					opponents: top(&scores, &records, top_k, -1.0),
				}
			})
			.collect())
	}
}
