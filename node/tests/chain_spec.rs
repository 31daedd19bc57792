//! The node's binary, as an operator runs it: `export-chain-spec` prints each built-in chain's
//! spec with its genesis state, and an unknown chain is refused with a message.
//!
//! Being an integration test, this also makes `cargo test --workspace` build the binary itself
//! (with the test build's features), which the end-to-end tests then run.

use std::process::{Command, Output};

fn node(args: &[&str]) -> Output {
	Command::new(env!("CARGO_BIN_EXE_openledger-node"))
		.args(args)
		.output()
		.expect("the node binary runs")
}

fn raw_spec(chain: &str) -> serde_json::Value {
	let out = node(&["export-chain-spec", "--chain", chain, "--raw"]);
	assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
	serde_json::from_slice(&out.stdout).expect("export-chain-spec prints JSON")
}

#[test]
fn every_built_in_chain_has_a_raw_spec_with_its_id_token_and_genesis_code() {
	for (chain, id, chain_type) in [
		("dev", "openledger_dev", "Development"),
		("local", "openledger_local", "Local"),
		("staging", "openledger_staging", "Live"),
	] {
		let spec = raw_spec(chain);
		assert_eq!(spec["id"], id);
		assert_eq!(spec["chainType"], chain_type);
		assert_eq!(spec["properties"]["tokenSymbol"], "OPEN");
		assert_eq!(spec["properties"]["tokenDecimals"], 18);
		// The genesis state is built (raw keys), with the runtime's code under `:code`.
		let top = spec["genesis"]["raw"]["top"].as_object().expect("a raw genesis");
		let code = top.get("0x3a636f6465").and_then(|c| c.as_str()).expect(":code is set");
		assert!(
			code.starts_with("0x") && code.len() > 100_000,
			"{chain}: code of {} chars",
			code.len()
		);
	}
}

#[test]
fn an_unknown_chain_is_refused_with_a_message() {
	let out = node(&["export-chain-spec", "--chain", "no-such-chain.json"]);
	assert!(!out.status.success());
	let stderr = String::from_utf8_lossy(&out.stderr);
	assert!(stderr.contains("Error opening spec file `no-such-chain.json`"), "{stderr}");
}
