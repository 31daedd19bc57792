//! The repository's data sets as engine records, for the tests and for the examples of the
//! evaluation crate (`engine-eval/examples`, which include this file with `#[path]`; both crates
//! sit beside `data/`, so `../data/` is the same folder from either).

#![allow(dead_code)]

use openledger_influence::Record;

/// A file of this crate, by its path from the crate's root. Cargo sets the variable when it
/// runs the binary too: prefer that, so that a binary built in another checkout of the same
/// target dir reads this checkout's file; under qemu the compile-time value is used.
pub fn crate_file(path: &str) -> String {
	let dir =
		std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").into());
	let path = std::path::Path::new(&dir).join(path);
	std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A file of the repository's `data/`.
pub fn data(path: &str) -> String {
	crate_file(&format!("../data/{path}"))
}

pub fn digits() -> Vec<Record> {
	data("digits/digits.csv")
		.lines()
		.skip(1)
		.map(|line| {
			let values: Vec<u8> = line.split(',').map(|v| v.parse().expect("a number")).collect();
			Record { payload: values[1..].to_vec(), label: u16::from(values[0]) }
		})
		.collect()
}

/// `data/spam/mails.tsv`: `label<TAB>body`, with `\\`, `\t`, `\r` and `\n` escaped.
pub fn mails() -> Vec<Record> {
	data("spam/mails.tsv")
		.lines()
		.map(|line| {
			let (label, body) = line.split_once('\t').expect("label<TAB>body");
			let mut text = String::with_capacity(body.len());
			let mut chars = body.chars();
			while let Some(c) = chars.next() {
				if c != '\\' {
					text.push(c);
					continue;
				}
				match chars.next() {
					Some('n') => text.push('\n'),
					Some('t') => text.push('\t'),
					Some('r') => text.push('\r'),
					Some(other) => text.push(other),
					None => {},
				}
			}
			Record { payload: text.into_bytes(), label: label.parse().expect("a label") }
		})
		.collect()
}
