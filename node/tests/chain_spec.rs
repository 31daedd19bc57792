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

/// `--chain mainnet-candidate:<file>` builds a network from the operator's file, and refuses a
/// wrong file with a message that names what is wrong, never a panic.
#[test]
fn a_mainnet_candidate_comes_from_the_operators_file_and_a_wrong_one_is_named() {
	let dir = std::env::temp_dir().join(format!("openledger-mainnet-{}", std::process::id()));
	std::fs::create_dir_all(&dir).unwrap();
	// Public keys of no one's (any 32 bytes are a key to the chain), not the dev keys; the
	// end-to-end test of `scripts/network-spec.sh` gives real ones as SS58 addresses.
	let stash = format!("0x{}", "33".repeat(32));
	let aura = format!("0x{}", "11".repeat(32));
	let grandpa = format!("0x{}", "22".repeat(32));
	let stash = stash.as_str();
	let good = serde_json::json!({
		"name": "Candidate",
		"id": "openledger_candidate",
		"bootNodes": [],
		"validators": [{ "account": stash, "aura": aura, "grandpa": grandpa }],
		"attestors": [stash],
		"endowments": [[stash, "2000000000000000000000"]],
	});
	let write = |name: &str, value: &serde_json::Value| {
		let path = dir.join(name);
		std::fs::write(&path, value.to_string()).unwrap();
		format!("mainnet-candidate:{}", path.display())
	};
	let spec = raw_spec(&write("good.json", &good));
	assert_eq!(spec["id"], "openledger_candidate");
	assert_eq!(spec["chainType"], "Live");

	let mut cases = Vec::new();
	let mut twice = good.clone();
	twice["validators"] = serde_json::json!([good["validators"][0], good["validators"][0]]);
	cases.push(("twice.json", twice, "a validator appears twice"));
	let mut poor = good.clone();
	poor["endowments"] = serde_json::json!([[stash, "10"]]);
	cases.push(("poor.json", poor, "below the existential deposit"));
	let mut unbonded = good.clone();
	unbonded["endowments"] = serde_json::json!([[stash, "1000000000000000000"]]);
	cases.push(("unbonded.json", unbonded, "endowed with less than its bond"));
	let mut bad_key = good.clone();
	bad_key["validators"][0]["aura"] = serde_json::json!("0x1234");
	cases.push(("bad-key.json", bad_key, "not 32 bytes"));
	let mut none = good.clone();
	none["validators"] = serde_json::json!([]);
	cases.push(("none.json", none, "1 to 16 validators, not 0"));
	let mut unknown = good.clone();
	unknown["sudo"] = serde_json::json!(stash);
	cases.push(("unknown.json", unknown, "unknown field `sudo`"));
	for (name, value, message) in cases {
		let out = node(&["export-chain-spec", "--chain", &write(name, &value), "--raw"]);
		assert!(!out.status.success(), "{name} is refused");
		let stderr = String::from_utf8_lossy(&out.stderr);
		assert!(stderr.contains(message), "{name}: {stderr}");
		assert!(!stderr.contains("panicked"), "{name}: {stderr}");
	}
	std::fs::remove_dir_all(&dir).unwrap();
}
