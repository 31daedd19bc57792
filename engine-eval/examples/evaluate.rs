//! Evaluates attribution quality on the digits set that the repository ships
//! (data/digits/digits.csv) and prints a table.
//!
//! Softmax regression trained to its optimum (Newton), attributed with the exact damped
//! influence function; and an MLP 64-32-10 trained by SGD (30 epochs, L2 1e-3), attributed with
//! the gradient dot product, TracIn-CP, K-FAC influence (the engine's method), replay (the exact
//! metagradient through the recorded training, `classifier::methods::replay`) and EK-FAC at
//! several dampings:
//! - **LDS**: 100 random 50% subsets of the training set, each retrained from scratch (the same
//!   subsets for every method of a model); for each of 100 held-out test points, the Spearman
//!   correlation between the summed scores of a subset's records and the retrained model's
//!   log-probability of the true label; averaged. The MLP's subsets are retrained twice: each
//!   from its own seed, and each from the full model's seed (the counterfactual "the same
//!   training without the other half", well defined since epochs are ordered by record hash).
//!   A third column retrains 100 subsets of about 90% of the records from the model's seed, and
//!   two more retrain the halves and those subsets with the other records weighted 0 in place
//!   (every batch the full training's; the counterfactual replay differentiates);
//! - **mislabel detection**: 10% of the training labels flipped (from a fixed seed, the same
//!   records for every model), records ranked by self-influence; the AUC and the share of
//!   flipped records in the top 10% and 20%;
//! - **the counterfactual check**: for each of the first 20 test points, the model retrained from
//!   its seed without the 16 records a method ranks as the point's strongest proponents; the
//!   mean fall of the point's log-probability of its label (larger: the records named mattered
//!   more);
//! - **cost**: the time to prepare a method and attribute the 100 test points against the whole
//!   training set, per test point; training times are printed above the table.
//!
//!     cargo run --release -p openledger-engine-eval --example evaluate [mlp] [text] [epochs=N] [records=N]
//!
//! (`mlp` skips softmax regression, whose 100 Newton retrainings take most of the time;
//! `epochs=N` trains the MLP for N epochs instead of 30.)
//!
//! `records=N` measures the MLP's K-FAC and replay rows at scale: the digits' training records
//! augmented to N (shifted by a pixel and with pixels moved by one, distinct, none held out),
//! against 20 of the original digits' test points, with 40 subsets per LDS column, 3 epochs
//! unless `epochs=N` says otherwise, and the estimate the chain's cost limit reads for the same
//! spec attributed by replay. At 100,000 records and 3 epochs a query's estimate is just under
//! the chain's default limit of 2·10¹⁰.
//!
//! `text` measures the same on real text instead: the 600 SpamAssassin mails of
//! data/spam/mails.tsv (one mail a record, cut at 2,048 bytes), featurised as the engine does
//! for `HashedNgrams { dims: 1024 }`, two classes. With 1,025 features and about 540 training
//! records, softmax regression's exact influence takes the Woodbury path (features outnumber
//! records), as it does on the chain.

#[path = "../../engine/tests/common/mod.rs"]
mod common;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use candle_core::Tensor;
use openledger_engine_eval::{ekfac::EkfacInfluence, tracin::TracIn};
use openledger_influence::classifier::methods::exact::newton_fit;
use openledger_influence::{
	api::KFAC_DAMPING,
	classifier::{
		featurize::featurize,
		holdout::is_held_out,
		methods::{exact::ExactInfluence, kfac::KfacInfluence, replay::Replay, Attribution},
		model::{Layer, Network},
		train::{epoch_order, train, Checkpoint, Hyper, Trained, MOMENTUM},
	},
	numeric::tensor::{from_rows, matmul, matrix, scalar, select_rows, transpose, SumRows},
};
use openledger_primitives::datanets::{record_hash, Schema};
use openledger_primitives::models::{Architecture, AttributionMethod, Featurizer, ModelSpec};
use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore, SeedableRng};
use sp_runtime::Perbill;

const L2: f64 = 1e-3;
const DAMPING: f64 = 1e-6;
const NEWTON_STEPS: usize = 15;
const SUBSETS: usize = 100;
const TEST_POINTS: usize = 100;
/// The subsets and test points of `records=N`, whose retrainings each take N/1,600 times as
/// long.
const AUGMENTED_SUBSETS: usize = 40;
const AUGMENTED_TEST_POINTS: usize = 20;
/// The test points of the counterfactual check, and the proponents it removes from each.
const COUNTERFACTUAL_POINTS: usize = 20;
const COUNTERFACTUAL_TOP: usize = 16;
const EKFAC_DAMPINGS: [f64; 3] = [1e-5, 1e-4, 1e-3];
/// The hashed n-gram dimension of the `text` evaluation.
const TEXT_DIMS: u32 = 1024;

fn ranks(v: &[f64]) -> Vec<f64> {
	let mut order: Vec<usize> = (0..v.len()).collect();
	order.sort_by(|a, b| v[*a].total_cmp(&v[*b]));
	let mut r = vec![0.0; v.len()];
	let mut i = 0;
	while i < order.len() {
		let mut j = i;
		while j + 1 < order.len() && v[order[j + 1]] == v[order[i]] {
			j += 1;
		}
		let avg = (i + j) as f64 / 2.0;
		for k in i..=j {
			r[order[k]] = avg;
		}
		i = j + 1;
	}
	r
}

fn pearson(a: &[f64], b: &[f64]) -> f64 {
	let n = a.len() as f64;
	let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
	let cov: f64 = a.iter().zip(b).map(|(x, y)| (x - ma) * (y - mb)).sum();
	let va: f64 = a.iter().map(|x| (x - ma).powi(2)).sum();
	let vb: f64 = b.iter().map(|y| (y - mb).powi(2)).sum();
	if va == 0.0 || vb == 0.0 {
		0.0
	} else {
		cov / (va * vb).sqrt()
	}
}

fn spearman(a: &[f64], b: &[f64]) -> f64 {
	pearson(&ranks(a), &ranks(b))
}

/// The AUC of `scores` for separating `positive` records from the rest.
fn auc(scores: &[f64], positive: &[bool]) -> f64 {
	let r = ranks(scores);
	let n_pos = positive.iter().filter(|p| **p).count() as f64;
	let n_neg = positive.len() as f64 - n_pos;
	let rank_sum: f64 = r.iter().zip(positive).filter(|(_, p)| **p).map(|(r, _)| r + 1.0).sum();
	(rank_sum - n_pos * (n_pos + 1.0) / 2.0) / (n_pos * n_neg)
}

/// The rows of a matrix.
fn rows(t: &Tensor) -> Vec<Vec<f64>> {
	t.to_vec2().expect("an f64 matrix")
}

fn log_prob(net: &Network, q: &Tensor, labels: &[usize]) -> Vec<f64> {
	let p = rows(&net.forward(q).expect("a forward pass").probs);
	labels.iter().enumerate().map(|(i, y)| p[i][*y].ln()).collect()
}

/// The data of one evaluation: training records, test points, and the same training records
/// with 10% of the labels flipped.
struct Data {
	/// What the records are.
	name: &'static str,
	/// The classes.
	classes: usize,
	x: Tensor,
	y: Vec<usize>,
	/// The training records' hashes, which order SGD's epochs.
	keys: Vec<[u8; 32]>,
	xq: Tensor,
	yq: Vec<usize>,
	noisy: Vec<usize>,
	flipped: Vec<bool>,
	/// The random subsets each LDS column retrains.
	subsets: usize,
}

/// `Data::subsets` random halves of the training set, each retrained by `retrain(x, y, seed)`, with
/// the retrained models' log-probabilities of the test points' true labels. Every method of a
/// model is measured on the same subsets.
struct Retrained {
	subsets: Vec<Vec<usize>>,
	/// `[subset][test point]`.
	log_probs: Vec<Vec<f64>>,
	time: Duration,
}

/// Trains `init` on every record of `x`, each batch's mean loss weighting record `i` by
/// `weights[i]` (0 for a record "removed in place": its batches are the full training's, and it
/// adds nothing to them). The counterfactual that replay's metagradient differentiates; with
/// every weight 1 it is the engine's training (up to rounding).
fn weighted_training(
	init: Network,
	x: &Tensor,
	y: &[usize],
	keys: &[[u8; 32]],
	hyper: &Hyper,
	weights: &[f64],
) -> Network {
	let (momentum, rate, lambda) = (
		scalar(MOMENTUM).unwrap(),
		scalar(hyper.learning_rate).unwrap(),
		scalar(hyper.l2).unwrap(),
	);
	let mut net = init;
	let mut velocity: Vec<(Tensor, Tensor)> =
		net.layers.iter().map(|l| (l.w.zeros_like().unwrap(), l.b.zeros_like().unwrap())).collect();
	for epoch in 1..=hyper.epochs {
		for batch in epoch_order(keys, hyper.seed, epoch).chunks(hyper.batch_size) {
			let xb = select_rows(x, batch).expect("a batch");
			let yb: Vec<usize> = batch.iter().map(|i| y[*i]).collect();
			let wb = matrix(batch.len(), 1, batch.iter().map(|i| weights[*i]).collect()).unwrap();
			let fwd = net.forward(&xb).expect("a forward pass");
			let out = Network::output_deltas(&fwd.probs, &yb).unwrap().broadcast_mul(&wb).unwrap();
			let deltas = net.backward_deltas(&fwd, out).expect("errors");
			let n = scalar(batch.len() as f64).unwrap();
			let grad: Vec<Layer> = net
				.layers
				.iter()
				.zip(&deltas)
				.zip(&fwd.inputs)
				.map(|((layer, d), a)| Layer {
					w: matmul(&transpose(d).unwrap(), a)
						.unwrap()
						.broadcast_div(&n)
						.unwrap()
						.add(&layer.w.broadcast_mul(&lambda).unwrap())
						.unwrap(),
					b: d.broadcast_div(&n).unwrap().apply_op1_no_bwd(&SumRows).unwrap(),
				})
				.collect();
			for ((layer, (vw, vb)), g) in net.layers.iter_mut().zip(velocity.iter_mut()).zip(grad) {
				*vw = vw.broadcast_mul(&momentum).unwrap().add(&g.w).unwrap();
				layer.w = layer.w.sub(&vw.broadcast_mul(&rate).unwrap()).unwrap();
				*vb = vb.broadcast_mul(&momentum).unwrap().add(&g.b).unwrap();
				layer.b = layer.b.sub(&vb.broadcast_mul(&rate).unwrap()).unwrap();
			}
		}
	}
	net
}

/// The subsets of `r`, retrained by [`weighted_training`] with the records outside each
/// weighted 0 in place, from the model's seed.
fn in_place(d: &Data, r: &Retrained, fit: impl Fn(&[f64]) -> Network) -> Retrained {
	let started = Instant::now();
	let log_probs = r
		.subsets
		.iter()
		.map(|subset| {
			let mut weights = vec![0.0; d.y.len()];
			for i in subset {
				weights[*i] = 1.0;
			}
			log_prob(&fit(&weights), &d.xq, &d.yq)
		})
		.collect();
	Retrained { subsets: r.subsets.clone(), log_probs, time: started.elapsed() }
}

/// Keeps each record with probability `tenths`/10 (halves draw one bit a record, as they always
/// have, so that the halves stay the same subsets).
fn retrain_subsets(
	d: &Data,
	rng: &mut ChaCha20Rng,
	tenths: u64,
	retrain: impl Fn(&Tensor, &[usize], &[[u8; 32]], u64) -> Network,
) -> Retrained {
	let started = Instant::now();
	let mut subsets = Vec::with_capacity(d.subsets);
	let mut log_probs = Vec::with_capacity(d.subsets);
	let kept = |rng: &mut ChaCha20Rng| {
		if tenths == 5 {
			rng.next_u64() & 1 == 1
		} else {
			rng.next_u64() % 10 < tenths
		}
	};
	for s in 0..d.subsets {
		let subset: Vec<usize> = (0..d.y.len()).filter(|_| kept(rng)).collect();
		let ys: Vec<usize> = subset.iter().map(|i| d.y[*i]).collect();
		let keys: Vec<[u8; 32]> = subset.iter().map(|i| d.keys[*i]).collect();
		let x = select_rows(&d.x, &subset).expect("a subset");
		let net = retrain(&x, &ys, &keys, 100 + s as u64);
		log_probs.push(log_prob(&net, &d.xq, &d.yq));
		subsets.push(subset);
	}
	Retrained { subsets, log_probs, time: started.elapsed() }
}

/// The LDS of `scores` (`[n, test points]`): per test point, the Spearman correlation between
/// `Σ_{i∈S} score(i, t)` and the retrained log-probability over the subsets `S`, averaged.
fn lds(d: &Data, r: &Retrained, scores: &[Vec<f64>]) -> f64 {
	let total: f64 = (0..d.yq.len())
		.map(|t| {
			let predicted: Vec<f64> =
				r.subsets.iter().map(|subset| subset.iter().map(|i| scores[*i][t]).sum()).collect();
			let actual: Vec<f64> = r.log_probs.iter().map(|lp| lp[t]).collect();
			spearman(&predicted, &actual)
		})
		.sum();
	total / d.yq.len() as f64
}

/// The AUC of self-influence for the flipped labels, and the shares of flipped records found in
/// the top 10% and 20%.
fn mislabel(d: &Data, selfs: &[f64]) -> (f64, f64, f64) {
	let mut order: Vec<usize> = (0..selfs.len()).collect();
	order.sort_by(|a, b| selfs[*b].total_cmp(&selfs[*a]));
	let n_flipped = d.flipped.iter().filter(|f| **f).count() as f64;
	let found = |share: f64| {
		order[..(selfs.len() as f64 * share) as usize].iter().filter(|i| d.flipped[**i]).count()
			as f64 / n_flipped
	};
	(auc(selfs, &d.flipped), found(0.10), found(0.20))
}

fn accuracy(net: &Network, d: &Data) -> f64 {
	let predicted = net.predict(&d.xq).expect("predictions");
	predicted.iter().zip(&d.yq).filter(|(p, y)| p == y).count() as f64 / d.yq.len() as f64
}

/// What an evaluation runs on.
#[derive(Clone, Copy, PartialEq)]
enum Set {
	/// The digits the repository ships.
	Digits,
	/// The SpamAssassin mails, as hashed n-grams (`text`).
	Mails,
	/// The digits' training records augmented to this many (`records=N`), against the original
	/// digits' test points.
	Augmented(usize),
}

/// `n` distinct training records: `originals` first, then copies of them each shifted by at
/// most one pixel in each direction and with about one pixel in eight moved by one, from a
/// fixed seed, kept only if new and not held out by the chain's rule.
fn augment(originals: &[(Vec<u8>, usize)], n: usize) -> Vec<(Vec<u8>, usize)> {
	let mut rng = ChaCha20Rng::seed_from_u64(11);
	let mut seen: HashSet<(Vec<u8>, usize)> = originals.iter().cloned().collect();
	let mut out = originals.to_vec();
	while out.len() < n {
		let (pixels, label) = &originals[(rng.next_u64() % originals.len() as u64) as usize];
		let (dx, dy) = ((rng.next_u64() % 3) as isize - 1, (rng.next_u64() % 3) as isize - 1);
		let moved: Vec<u8> = (0..64isize)
			.map(|i| {
				let (r, c) = (i / 8 - dy, i % 8 - dx);
				let v = if (0..8).contains(&r) && (0..8).contains(&c) {
					pixels[(r * 8 + c) as usize]
				} else {
					0
				};
				match rng.next_u64() % 16 {
					0 => v.saturating_sub(1),
					1 => (v + 1).min(16),
					_ => v,
				}
			})
			.collect();
		let record = (moved, *label);
		if !is_held_out(&record_hash(&record.0, *label as u16)) && seen.insert(record.clone()) {
			out.push(record);
		}
	}
	out
}

/// The records of `set`, with their features and labels.
fn load(set: Set) -> Data {
	let text = set == Set::Mails;
	let (records, classes, name) = match set {
		Set::Mails => (common::mails(), 2, "SpamAssassin mails (hashed n-grams, 1,024 dims)"),
		Set::Digits => (common::digits(), 10, "digits (64 pixels)"),
		Set::Augmented(_) => (common::digits(), 10, "augmented digits (64 pixels)"),
	};
	let labels: Vec<usize> = records.iter().map(|r| usize::from(r.label)).collect();
	let payloads: Vec<Vec<u8>> = records.into_iter().map(|r| r.payload).collect();
	let featurize = |payload: &[u8]| -> Vec<f64> {
		if text {
			let featurizer = Featurizer::HashedNgrams { dims: TEXT_DIMS };
			featurize(&featurizer, &Schema::Text { classes: 2 }, payload, 0).expect("a mail")
		} else {
			payload.iter().map(|v| f64::from(*v) / 16.0).collect()
		}
	};
	let (mut training, mut test) = (Vec::new(), Vec::new());
	for (p, y) in payloads.into_iter().zip(labels) {
		if is_held_out(&record_hash(&p, y as u16)) {
			test.push((p, y))
		} else {
			training.push((p, y))
		}
	}
	let (test_points, subsets) = match set {
		Set::Augmented(n) => {
			training = augment(&training, n);
			(AUGMENTED_TEST_POINTS, AUGMENTED_SUBSETS)
		},
		_ => (TEST_POINTS, SUBSETS),
	};
	test.truncate(test_points);
	let features = |records: &[(Vec<u8>, usize)]| {
		from_rows(&records.iter().map(|(p, _)| featurize(p)).collect::<Vec<_>>()).expect("features")
	};
	let y: Vec<usize> = training.iter().map(|(_, y)| *y).collect();
	// 10% of the training labels flipped to another class, from a fixed seed.
	let mut rng = ChaCha20Rng::seed_from_u64(7);
	let mut noisy = y.clone();
	let mut flipped = vec![false; y.len()];
	for i in 0..y.len() {
		if rng.next_u64() % 10 == 0 {
			noisy[i] = (y[i] + 1 + (rng.next_u64() % (classes as u64 - 1)) as usize) % classes;
			flipped[i] = true;
		}
	}
	Data {
		name,
		classes,
		x: features(&training),
		keys: training.iter().map(|(p, y)| record_hash(p, *y as u16).0).collect(),
		y,
		xq: features(&test),
		yq: test.iter().map(|(_, y)| *y).collect(),
		noisy,
		flipped,
		subsets,
	}
}

/// Prepares a method on a model and its training set.
type Prepare<'a> = Box<dyn Fn(&Trained, &Tensor, &[usize]) -> Box<dyn Attribution> + 'a>;

fn method<'a>(f: impl Fn(&Trained, &Tensor, &[usize]) -> Box<dyn Attribution> + 'a) -> Prepare<'a> {
	Box::new(f)
}

/// The counterfactual check: for each of the first [`COUNTERFACTUAL_POINTS`] test points, the
/// model retrained (by `without`, from its seed) without the [`COUNTERFACTUAL_TOP`] records
/// `scores` rank as its strongest proponents, and the mean fall of the point's log-probability
/// of its label. The larger, the more the records a method names mattered.
fn counterfactual(
	d: &Data,
	full: &Network,
	scores: &[Vec<f64>],
	without: &dyn Fn(&[usize]) -> Network,
) -> f64 {
	let points = COUNTERFACTUAL_POINTS.min(d.yq.len());
	let before = log_prob(full, &d.xq, &d.yq);
	let falls: f64 = (0..points)
		.map(|t| {
			let mut ranked: Vec<usize> = (0..scores.len()).collect();
			ranked.sort_by(|a, b| scores[*b][t].total_cmp(&scores[*a][t]).then(a.cmp(b)));
			ranked.truncate(COUNTERFACTUAL_TOP);
			before[t] - log_prob(&without(&ranked), &d.xq, &d.yq)[t]
		})
		.sum();
	falls / points as f64
}

/// The training set without `removed`: features, labels and keys.
fn without(d: &Data, removed: &[usize]) -> (Tensor, Vec<usize>, Vec<[u8; 32]>) {
	let kept: Vec<usize> = (0..d.y.len()).filter(|i| !removed.contains(i)).collect();
	let x = select_rows(&d.x, &kept).expect("a subset");
	(x, kept.iter().map(|i| d.y[*i]).collect(), kept.iter().map(|i| d.keys[*i]).collect())
}

/// What [`measure`] returns: the LDS columns, the mislabel AUC and top-10%/20% shares, the
/// counterfactual check, and the time per query.
type Measured = (Vec<f64>, f64, f64, f64, f64, Duration);

/// One row of the table: a method measured on a model, with the model's retrainings.
fn measure(
	d: &Data,
	retrained: &[&Retrained],
	clean: &Trained,
	noisy: &Trained,
	prepare: &Prepare<'_>,
	retrain_without: &dyn Fn(&[usize]) -> Network,
) -> Measured {
	let started = Instant::now();
	let method = prepare(clean, &d.x, &d.y);
	let scores = rows(&method.scores(&d.xq, &d.yq).expect("scores")); // [n, test points]
	let per_query = started.elapsed() / d.yq.len() as u32;
	let lds: Vec<f64> = retrained.iter().map(|r| lds(d, r, &scores)).collect();
	let fall = counterfactual(d, &clean.network, &scores, retrain_without);
	// A method without self-influence (replay) gets no mislabel columns (NaN).
	let (area, top10, top20) = match prepare(noisy, &d.x, &d.noisy).self_influence() {
		Ok(selfs) => mislabel(d, &selfs),
		Err(_) => (f64::NAN, f64::NAN, f64::NAN),
	};
	(lds, area, top10, top20, fall, per_query)
}

/// The value of the command line's `name=N`, if given.
fn option(name: &str) -> Option<usize> {
	std::env::args().find_map(|a| a.strip_prefix(name)?.strip_prefix('=')?.parse().ok())
}

fn main() {
	let set = match option("records") {
		Some(n) => Set::Augmented(n),
		None if std::env::args().any(|a| a == "text") => Set::Mails,
		None => Set::Digits,
	};
	let large = matches!(set, Set::Augmented(_));
	let d = load(set);
	println!(
		"{}: {} training records, {} test points, {} features, {} classes; {} labels flipped for mislabel detection",
		d.name,
		d.y.len(),
		d.yq.len(),
		d.x.dims()[1],
		d.classes,
		d.flipped.iter().filter(|f| **f).count()
	);
	let mut rng = ChaCha20Rng::seed_from_u64(2026);
	let mut rows = Vec::new();
	let mut row = |model: &str, method: &str, r: Measured| {
		rows.push(format!(
			"| {model} | {method} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {:.2?} |",
			r.0[0], r.0[1], r.0[2], r.0[3], r.0[4], r.1, r.2, r.3, r.4, r.5
		))
	};

	// Softmax regression, trained to its optimum; exact influence. (`evaluate mlp` skips it.)
	let mlp_only = large || std::env::args().any(|a| a == "mlp");
	if !mlp_only {
		let started = Instant::now();
		let newton = |x: &Tensor, y: &[usize]| {
			let network = newton_fit(x, y, d.classes, L2, NEWTON_STEPS).expect("trains");
			Trained { checkpoints: Vec::new(), network }
		};
		let full = newton(&d.x, &d.y);
		let train_time = started.elapsed();
		let gnorm: f64 = full
			.network
			.gradient(&d.x, &d.y, L2)
			.expect("a gradient")
			.iter()
			.flat_map(|l| [&l.w, &l.b])
			.flat_map(|t| t.flatten_all().and_then(|t| t.to_vec1::<f64>()).expect("values"))
			.map(|g| g * g)
			.sum::<f64>()
			.sqrt();
		let retrained = retrain_subsets(&d, &mut rng.clone(), 5, |x, y, _, _| newton(x, y).network);
		let tenth = retrain_subsets(&d, &mut rng, 9, |x, y, _, _| newton(x, y).network);
		let noisy = newton(&d.x, &d.noisy);
		println!(
			"softmax regression: accuracy {:.3}, gradient norm at the optimum {gnorm:.1e}, train {train_time:.2?}, {} retrainings {:.2?}",
			accuracy(&full.network, &d),
			d.subsets,
			retrained.time
		);
		let exact = method(|t, x, y| {
			Box::new(ExactInfluence::new(&t.network, x, y, L2, DAMPING).expect("positive definite"))
		});
		row(
			"softmax regression (optimum)",
			"exact influence / self-influence",
			// The optimum does not depend on a seed: one set of retrainings serves both columns.
			// The optimum has no batches: removal in place is removal.
			measure(
				&d,
				&[&retrained, &retrained, &tenth, &retrained, &tenth],
				&full,
				&noisy,
				&exact,
				&|removed| {
					let (x, y, _) = without(&d, removed);
					newton(&x, &y).network
				},
			),
		);
	}

	// MLP 64-32-10 trained by SGD, with every MLP method on the same retrainings.
	let arch = Architecture::Mlp1 { hidden: 32 };
	// L2 1e-3: with 1e-4 (or 60 epochs) every method's LDS is 0.02-0.05 lower. `epochs=N` on
	// the command line trains for N epochs instead of 30.
	let epochs = option("epochs").map_or(if large { 3 } else { 30 }, |e| e as u16);
	let hyper = |seed| Hyper {
		epochs,
		learning_rate: 0.05,
		batch_size: 32,
		l2: 1e-3,
		checkpoints: 5,
		seed,
	};
	let dims = d.x.dims()[1];
	let fit = |x: &Tensor, y: &[usize], keys: &[[u8; 32]], seed: u64| {
		let init = Network::init(&arch, dims, d.classes, seed).expect("a network");
		train(init, x, y, keys, &hyper(seed)).expect("trains")
	};
	// Its own stream of subsets, so that `evaluate mlp` draws the same ones.
	let mut rng = ChaCha20Rng::seed_from_u64(2027);
	let started = Instant::now();
	let trained = fit(&d.x, &d.y, &d.keys, 1);
	let train_time = started.elapsed();
	// The same subsets twice: each retrained from its own seed, and each from the full model's
	// seed, 1 (the counterfactual "this model without the other half", which the training
	// order's stability under removal makes well defined).
	let retrained =
		retrain_subsets(&d, &mut rng.clone(), 5, |x, y, keys, seed| fit(x, y, keys, seed).network);
	let same_seed =
		retrain_subsets(&d, &mut rng.clone(), 5, |x, y, keys, _| fit(x, y, keys, 1).network);
	// And 10% removals, from the model's seed: closer to where a first-order estimate holds.
	let tenth = retrain_subsets(&d, &mut rng, 9, |x, y, keys, _| fit(x, y, keys, 1).network);
	// The same subsets with the other records weighted 0 in place: what replay differentiates.
	let weighted = |weights: &[f64]| {
		let init = Network::init(&arch, dims, d.classes, 1).expect("a network");
		weighted_training(init, &d.x, &d.y, &d.keys, &hyper(1), weights)
	};
	let half_in_place = in_place(&d, &same_seed, weighted);
	let tenth_in_place = in_place(&d, &tenth, weighted);
	let noisy = fit(&d.x, &d.noisy, &d.keys, 1);
	println!(
		"MLP {}-32-{}: accuracy {:.3}, train {train_time:.2?}, {} retrainings {:.2?}",
		dims,
		d.classes,
		accuracy(&trained.network, &d),
		d.subsets,
		retrained.time
	);
	let mlp = format!("MLP {}-32-{} (SGD, {epochs} epochs)", dims, d.classes);
	let mlp = mlp.as_str();
	let methods: Vec<(String, Prepare)> = vec![
		(
			"gradient dot product (final weights) / gradient norm".into(),
			method(|t, x, y| {
				let last = Checkpoint { epoch: 0, learning_rate: 1.0, network: t.network.clone() };
				Box::new(TracIn::new(vec![last], x, y).expect("factors"))
			}),
		),
		(
			"TracIn-CP, 5 checkpoints (ghost) / TracIn self-influence".into(),
			method(|t, x, y| Box::new(TracIn::new(t.checkpoints.clone(), x, y).expect("factors"))),
		),
		(
			format!("K-FAC influence, λ = {KFAC_DAMPING} / its self-influence"),
			method(|t, x, y| {
				Box::new(KfacInfluence::new(&t.network, x, y, KFAC_DAMPING).expect("damped"))
			}),
		),
	]
	.into_iter()
	.chain(std::iter::once((
		"replay: the exact metagradient through the training (no self-influence)".into(),
		method(|_, x, y| {
			// Replay is the training itself, from the model's seed: preparing it trains once.
			let init = Network::init(&arch, dims, d.classes, 1).expect("a network");
			Box::new(Replay::new(init, x, y, &d.keys, &hyper(1)).expect("trains"))
		}),
	)))
	.chain(EKFAC_DAMPINGS.iter().map(|lambda| {
		let prepare = method(move |t, x, y| {
			Box::new(EkfacInfluence::new(&t.network, x, y, *lambda).expect("damped"))
		});
		(format!("EK-FAC influence, λ = {lambda} / its self-influence"), prepare)
	}))
	// `records=N` measures the engine's two methods only.
	.filter(|(name, _)| !large || name.starts_with("K-FAC") || name.starts_with("replay"))
	.collect();
	if set != Set::Mails {
		// What the chain's cost limit sees: the same MLP as a spec attributed by replay.
		let spec = ModelSpec {
			featurizer: Featurizer::Raw,
			architecture: arch,
			epochs,
			learning_rate: Perbill::from_percent(5),
			batch_size: 32,
			l2: Perbill::from_parts(1_000_000),
			seed: 1,
			method: AttributionMethod::Replay,
		};
		let schema = Schema::Dense { dims: 64, classes: 10, max_value: 16 };
		let cost = spec.cost(&schema, d.y.len() as u32);
		println!(
			"as a spec attributed by replay: {:.0} MiB, {:.1} GFLOP to train, {:.1} GFLOP a query",
			cost.bytes as f64 / f64::from(1 << 20),
			cost.flops as f64 / 1e9,
			cost.query_flops as f64 / 1e9
		);
	}
	let retrain_without = |removed: &[usize]| {
		let (x, y, keys) = without(&d, removed);
		fit(&x, &y, &keys, 1).network
	};
	for (name, prepare) in &methods {
		let retrainings = [&retrained, &same_seed, &tenth, &half_in_place, &tenth_in_place];
		row(mlp, name, measure(&d, &retrainings, &trained, &noisy, prepare, &retrain_without));
	}

	println!();
	println!(
		"| model | method | LDS, own seed per subset | LDS, the model's seed | LDS, 10% removed, the model's seed | LDS, half weighted 0 in place | LDS, 10% weighted 0 in place | mislabel AUC | found in top 10% | found in top 20% | top {COUNTERFACTUAL_TOP} removed: fall of log p, mean of {COUNTERFACTUAL_POINTS} | attribute one query |"
	);
	println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
	for row in rows {
		println!("{row}");
	}
}
