//! Evaluates attribution quality on the digits set that the repository ships
//! (data/digits/digits.csv) and prints a table.
//!
//! So far: softmax regression trained to its optimum (Newton), attributed with the exact
//! damped influence function, and an MLP 64-32-10 trained by SGD, attributed with TracIn-CP
//! and with K-FAC influence at several dampings:
//! - **LDS**: 100 random 50% subsets of the training set, each retrained from scratch; for each
//!   of 100 held-out test points, the Spearman correlation between the summed scores of a
//!   subset's records and the retrained model's log-probability of the true label; averaged;
//! - **mislabel detection**: 10% of the training labels flipped (from a fixed seed, the same
//!   records for every model), records ranked by self-influence; the AUC and the share of
//!   flipped records in the top 10% and 20%.
//!
//!     cargo run --release -p openledger-influence --example evaluate

use std::time::Instant;

use openledger_influence::{
	influence::{
		exact::{newton_fit, ExactInfluence},
		kfac::KfacInfluence,
		tracin,
	},
	linalg::Matrix,
	model::Network,
	split::is_held_out,
	train::{train, Hyper},
};
use openledger_primitives::datanets::record_hash;
use openledger_primitives::models::Architecture;
use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore, SeedableRng};

const L2: f64 = 1e-3;
const DAMPING: f64 = 1e-6;
const NEWTON_STEPS: usize = 15;
const SUBSETS: usize = 100;
const TEST_POINTS: usize = 100;

fn load_digits() -> (Vec<Vec<u8>>, Vec<usize>) {
	let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/digits/digits.csv");
	let text = std::fs::read_to_string(path).expect("data/digits/digits.csv is in the repository");
	let mut pixels = Vec::new();
	let mut labels = Vec::new();
	for line in text.lines().skip(1) {
		let values: Vec<u8> = line.split(',').map(|v| v.parse().expect("a number")).collect();
		labels.push(values[0] as usize);
		pixels.push(values[1..].to_vec());
	}
	(pixels, labels)
}

fn features(pixels: &[Vec<u8>], idx: &[usize]) -> Matrix {
	Matrix::from_rows(
		&idx.iter()
			.map(|i| pixels[*i].iter().map(|v| f64::from(*v) / 16.0).collect())
			.collect::<Vec<_>>(),
	)
}

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

fn log_prob(net: &Network, q: &Matrix, labels: &[usize]) -> Vec<f64> {
	let p = net.forward(q).probs;
	labels.iter().enumerate().map(|(i, y)| p.row(i)[*y].ln()).collect()
}

/// The data of one evaluation: training records, test points, and the same training records
/// with 10% of the labels flipped.
struct Data {
	x: Matrix,
	y: Vec<usize>,
	xq: Matrix,
	yq: Vec<usize>,
	noisy: Vec<usize>,
	flipped: Vec<bool>,
}

/// The LDS: for `SUBSETS` random halves of the training set, retrained by `retrain(x, y, s)`,
/// the Spearman correlation per test point between `Σ_{i∈S} score(i, t)` and the retrained
/// log-probability of the true label, averaged over the test points. Also returns the time.
fn lds(
	d: &Data,
	rng: &mut ChaCha20Rng,
	score: impl Fn(usize, usize) -> f64,
	retrain: impl Fn(&Matrix, &[usize], u64) -> Network,
) -> (f64, std::time::Duration) {
	let mut predicted = vec![vec![0.0; SUBSETS]; d.xq.rows];
	let mut actual = vec![vec![0.0; SUBSETS]; d.xq.rows];
	let started = Instant::now();
	for s in 0..SUBSETS {
		let subset: Vec<usize> = (0..d.x.rows).filter(|_| rng.next_u64() & 1 == 1).collect();
		let ys: Vec<usize> = subset.iter().map(|i| d.y[*i]).collect();
		let net = retrain(&d.x.select_rows(&subset), &ys, 100 + s as u64);
		let lp = log_prob(&net, &d.xq, &d.yq);
		for t in 0..d.xq.rows {
			predicted[t][s] = subset.iter().map(|i| score(*i, t)).sum();
			actual[t][s] = lp[t];
		}
	}
	let elapsed = started.elapsed();
	let mean =
		(0..d.xq.rows).map(|t| spearman(&predicted[t], &actual[t])).sum::<f64>() / d.xq.rows as f64;
	(mean, elapsed)
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
	net.predict(&d.xq).iter().zip(&d.yq).filter(|(p, y)| p == y).count() as f64 / d.yq.len() as f64
}

fn load() -> Data {
	let (pixels, labels) = load_digits();
	let (mut train_idx, mut test) = (Vec::new(), Vec::new());
	for (i, (p, y)) in pixels.iter().zip(&labels).enumerate() {
		let held_out = is_held_out(&record_hash(p, *y as u16));
		if held_out {
			test.push(i)
		} else {
			train_idx.push(i)
		}
	}
	test.truncate(TEST_POINTS);
	let y: Vec<usize> = train_idx.iter().map(|i| labels[*i]).collect();
	// 10% of the training labels flipped to another class, from a fixed seed.
	let mut rng = ChaCha20Rng::seed_from_u64(7);
	let mut noisy = y.clone();
	let mut flipped = vec![false; y.len()];
	for i in 0..y.len() {
		if rng.next_u64() % 10 == 0 {
			noisy[i] = (y[i] + 1 + (rng.next_u64() % 9) as usize) % 10;
			flipped[i] = true;
		}
	}
	Data {
		x: features(&pixels, &train_idx),
		y,
		xq: features(&pixels, &test),
		yq: test.iter().map(|i| labels[*i]).collect(),
		noisy,
		flipped,
	}
}

fn main() {
	let d = load();
	println!(
		"digits: {} training records, {} test points, 64 features, 10 classes; {} labels flipped for mislabel detection",
		d.x.rows,
		d.xq.rows,
		d.flipped.iter().filter(|f| **f).count()
	);
	let mut rng = ChaCha20Rng::seed_from_u64(2026);
	let mut rows = Vec::new();

	// Softmax regression, trained to its optimum; exact influence.
	let started = Instant::now();
	let full = newton_fit(&d.x, &d.y, 10, L2, NEWTON_STEPS).expect("trains");
	let train_time = started.elapsed();
	let gnorm: f64 = full
		.gradient(&d.x, &d.y, L2)
		.iter()
		.flat_map(|l| l.w.data.iter().chain(&l.b))
		.map(|g| g * g)
		.sum::<f64>()
		.sqrt();
	let inf = ExactInfluence::new(&full, &d.x, &d.y, L2, DAMPING).expect("positive definite");
	let started = Instant::now();
	let scores = inf.scores(&d.xq, &d.yq); // [n, q]
	let query_time = started.elapsed() / d.xq.rows as u32;
	let (lr_lds, lr_retrain) = lds(
		&d,
		&mut rng,
		|i, t| scores.row(i)[t],
		|x, y, _| newton_fit(x, y, 10, L2, NEWTON_STEPS).expect("trains"),
	);
	let noisy = newton_fit(&d.x, &d.noisy, 10, L2, NEWTON_STEPS).expect("trains");
	let selfs = ExactInfluence::new(&noisy, &d.x, &d.noisy, L2, DAMPING)
		.expect("positive definite")
		.self_influence();
	let (area, top10, top20) = mislabel(&d, &selfs);
	println!(
		"softmax regression: accuracy {:.3}, gradient norm at the optimum {gnorm:.1e}, train {train_time:.2?}, one query {query_time:.2?}, {SUBSETS} retrainings {lr_retrain:.2?}",
		accuracy(&full, &d)
	);
	rows.push(format!(
		"| softmax regression (optimum) | exact influence / self-influence | {lr_lds:.3} | {area:.3} | {top10:.3} | {top20:.3} |"
	));

	// MLP 64-32-10 trained by SGD; TracIn-CP with ghost dot products.
	let arch = Architecture::Mlp1 { hidden: 32 };
	let hyper = |seed| Hyper {
		epochs: 30,
		learning_rate: 0.05,
		batch_size: 32,
		l2: 1e-4,
		checkpoints: 5,
		seed,
	};
	let fit = |x: &Matrix, y: &[usize], seed: u64| {
		train(Network::init(&arch, 64, 10, seed), x, y, &hyper(seed)).expect("trains")
	};
	let started = Instant::now();
	let trained = fit(&d.x, &d.y, 1);
	let train_time = started.elapsed();
	let started = Instant::now();
	let tscores = tracin::scores(&trained.checkpoints, &d.x, &d.y, &d.xq, &d.yq); // [n, q]
	let query_time = started.elapsed() / d.xq.rows as u32;
	let (mlp_lds, mlp_retrain) =
		lds(&d, &mut rng, |i, t| tscores.row(i)[t], |x, y, seed| fit(x, y, seed).network);
	let noisy = fit(&d.x, &d.noisy, 1);
	let (area, top10, top20) =
		mislabel(&d, &tracin::self_influence(&noisy.checkpoints, &d.x, &d.noisy));
	println!(
		"MLP 64-32-10: accuracy {:.3}, train {train_time:.2?}, one query (TracIn, 5 checkpoints) {query_time:.2?}, {SUBSETS} retrainings {mlp_retrain:.2?}",
		accuracy(&trained.network, &d)
	);
	rows.push(format!(
		"| MLP 64-32-10 (SGD, 30 epochs) | TracIn-CP (ghost) / TracIn self-influence | {mlp_lds:.3} | {area:.3} | {top10:.3} | {top20:.3} |"
	));

	// The same MLP with K-FAC influence at its final parameters, for a few dampings.
	for lambda in [1e-5, 1e-4, 1e-3, 1e-2] {
		let started = Instant::now();
		let kfac = KfacInfluence::new(&trained.network, &d.x, &d.y, lambda).expect("damped");
		let kscores = kfac.scores(&d.xq, &d.yq); // [n, q]
		let query_time = started.elapsed() / d.xq.rows as u32;
		let (kfac_lds, _) =
			lds(&d, &mut rng, |i, t| kscores.row(i)[t], |x, y, seed| fit(x, y, seed).network);
		let noisy_kfac =
			KfacInfluence::new(&noisy.network, &d.x, &d.noisy, lambda).expect("damped");
		let (area, top10, top20) = mislabel(&d, &noisy_kfac.self_influence());
		println!(
			"K-FAC (λ = {lambda}): factors and {} queries {:.2?} a query",
			d.xq.rows, query_time
		);
		rows.push(format!(
			"| MLP 64-32-10 (SGD, 30 epochs) | K-FAC influence, λ = {lambda} / its self-influence | {kfac_lds:.3} | {area:.3} | {top10:.3} | {top20:.3} |"
		));
	}

	println!();
	println!("| model | method | LDS | mislabel AUC | found in top 10% | found in top 20% |");
	println!("|---|---|---|---|---|---|");
	for row in rows {
		println!("{row}");
	}
}
