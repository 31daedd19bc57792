#!/usr/bin/env bash
# A new network with keys of its own, not the dev keys: generates the keys of N validators,
# writes the operator's network file and the raw chain spec (`--chain mainnet-candidate:<file>`,
# no sudo, production governance), fills each node's keystore, and starts the nodes on
# loopback.
#
#   scripts/network-spec.sh init DIR [--validators N] [--p2p-port P]
#   scripts/network-spec.sh start DIR [--rpc-port R] [--prom-port M] [-- NODE ARGS...]
#   scripts/network-spec.sh stop DIR
#
# init   makes DIR (it must not exist) with, for validator i (0 to N-1, default 3):
#        - a secret phrase (DIR/secrets/validator-i, mode 600), from which come its stash account
#          (`<phrase>//stash`), its Aura key (`//aura`, sr25519), its GRANDPA key (`//grandpa`,
#          ed25519) and its attestor account (`//attestor`, sr25519, the `attr` key);
#        - its node key (DIR/node-i/node-key), its base path DIR/node-i with the keystore filled;
#        DIR/network.json, the operator's file (validators, attestors, endowments: 1,000,000 OPEN
#        to each stash and 10,000 to each attestor; boot node: validator 0 on P2P port P,
#        default 30333), and DIR/spec.json, the raw chain spec built from it. On a real network
#        each operator makes its own keys on its own machine and sends only the public parts.
# start  starts every node of DIR (node i: RPC R+i, default 9944, p2p P+i, Prometheus M+i,
#        default 9615), logs DIR/node-i.log, pid DIR/node-i.pid, and waits until each answers RPC.
# stop   stops them.
#
# $OPENLEDGER_NODE names the node binary (default: the debug build).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=env.sh
. "$ROOT/scripts/env.sh"
NODE="${OPENLEDGER_NODE:-$CARGO_TARGET_DIR/debug/openledger-node}"

usage() { sed -n '7,9p' "$0" | sed 's/^# *//' >&2; exit 2; }

# $1 OPEN in the smallest unit (18 decimals), as a decimal string: bash's integers stop at 2^63.
smallest_units() { printf '%s%018d' "$1" 0; }

# The public key (hex) and SS58 address of a secret URI under a scheme.
inspect() {
	"$NODE" key inspect --scheme "$1" --output-type json "$2" |
		jq -r '[.publicKey, .ss58Address] | @tsv'
}

init() {
	local dir=$1 n=3 p2p=30333
	shift
	while [ $# -gt 0 ]; do
		case "$1" in
		--validators) n="$2"; shift ;;
		--p2p-port) p2p="$2"; shift ;;
		*) usage ;;
		esac
		shift
	done
	[[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -ge 1 ] && [ "$n" -le 16 ] ||
		{ echo "[network-spec] --validators takes 1 to 16" >&2; exit 2; }
	[ -e "$dir" ] && { echo "[network-spec] $dir exists: init makes a new network" >&2; exit 1; }
	[ -x "$NODE" ] || "$ROOT/scripts/build.sh"
	mkdir -p "$dir/secrets"
	chmod 700 "$dir/secrets"
	local validators="[]" attestors="[]" endowments="[]" boot=""
	for i in $(seq 0 $((n - 1))); do
		local phrase
		phrase=$("$NODE" key generate --scheme sr25519 --output-type json | jq -r .secretPhrase)
		(umask 077 && printf '%s\n' "$phrase" >"$dir/secrets/validator-$i")
		local stash aura grandpa attestor
		stash=$(inspect sr25519 "$phrase//stash" | cut -f2)
		aura=$(inspect sr25519 "$phrase//aura" | cut -f1)
		grandpa=$(inspect ed25519 "$phrase//grandpa" | cut -f1)
		attestor=$(inspect sr25519 "$phrase//attestor" | cut -f2)
		validators=$(jq -c --arg a "$stash" --arg r "$aura" --arg g "$grandpa" \
			'. + [{account: $a, aura: $r, grandpa: $g}]' <<<"$validators")
		attestors=$(jq -c --arg a "$attestor" '. + [$a]' <<<"$attestors")
		endowments=$(jq -c --arg s "$stash" --arg sv "$(smallest_units 1000000)" \
			--arg a "$attestor" --arg av "$(smallest_units 10000)" \
			'. + [[$s, $sv], [$a, $av]]' <<<"$endowments")
		mkdir -p "$dir/node-$i"
		"$NODE" key generate-node-key --file "$dir/node-$i/node-key" 2>/dev/null
		if [ "$i" = 0 ]; then
			boot="/ip4/127.0.0.1/tcp/$p2p/p2p/$("$NODE" key inspect-node-key --file "$dir/node-0/node-key")"
		fi
	done
	jq -n --argjson v "$validators" --argjson a "$attestors" --argjson e "$endowments" --arg b "$boot" \
		'{name: "OpenLedger Network", id: "openledger_network", bootNodes: [$b],
		  validators: $v, attestors: $a, endowments: $e}' >"$dir/network.json"
	"$NODE" export-chain-spec --chain "mainnet-candidate:$dir/network.json" --raw >"$dir/spec.json.tmp" 2>"$dir/export.log" ||
		{ echo "[network-spec] the chain spec could not be built:" >&2; tail -n 5 "$dir/export.log" >&2; exit 1; }
	mv "$dir/spec.json.tmp" "$dir/spec.json"
	for i in $(seq 0 $((n - 1))); do
		local phrase
		phrase=$(cat "$dir/secrets/validator-$i")
		for key in "aura sr25519 //aura" "gran ed25519 //grandpa" "attr sr25519 //attestor"; do
			set -- $key
			"$NODE" key insert --base-path "$dir/node-$i" --chain "$dir/spec.json" \
				--key-type "$1" --scheme "$2" --suri "$phrase$3"
		done
	done
	echo "$p2p" >"$dir/p2p-port"
	echo "[network-spec] $n validators in $dir: network.json, spec.json, keystores filled"
}

running() {
	[ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null
}

start() {
	local dir=$1 rpc=9944 prom=9615
	shift
	while [ $# -gt 0 ]; do
		case "$1" in
		--rpc-port) rpc="$2"; shift ;;
		--prom-port) prom="$2"; shift ;;
		--) shift; break ;;
		*) usage ;;
		esac
		shift
	done
	[ -f "$dir/spec.json" ] || { echo "[network-spec] no network in $dir: run init first" >&2; exit 1; }
	local p2p i=0
	p2p=$(cat "$dir/p2p-port")
	while [ -d "$dir/node-$i" ]; do
		running "$dir/node-$i.pid" && { echo "[network-spec] node $i is already running" >&2; exit 1; }
		"$NODE" --chain "$dir/spec.json" --validator --base-path "$dir/node-$i" \
			--node-key-file "$dir/node-$i/node-key" --name "validator-$i" \
			--rpc-port $((rpc + i)) --prometheus-port $((prom + i)) \
			--listen-addr "/ip4/127.0.0.1/tcp/$((p2p + i))" --no-mdns --no-telemetry "$@" \
			>>"$dir/node-$i.log" 2>&1 &
		echo $! >"$dir/node-$i.pid"
		i=$((i + 1))
	done
	for j in $(seq 0 $((i - 1))); do
		local t=0
		until curl -s -m 2 -H 'Content-Type: application/json' \
			-d '{"id":1,"jsonrpc":"2.0","method":"system_health","params":[]}' \
			"http://127.0.0.1:$((rpc + j))" | grep -q '"result"'; do
			running "$dir/node-$j.pid" || { echo "[network-spec] node $j exited:" >&2; tail -n 20 "$dir/node-$j.log" >&2; exit 1; }
			t=$((t + 1))
			[ "$t" -gt 300 ] && { echo "[network-spec] node $j does not answer RPC" >&2; exit 1; }
			sleep 1
		done
	done
	echo "[network-spec] $i nodes answer RPC on ports $rpc to $((rpc + i - 1))"
}

stop() {
	local dir=$1
	for pid in "$dir"/node-*.pid; do
		[ -f "$pid" ] || continue
		if running "$pid"; then
			kill "$(cat "$pid")"
			local t=0
			while running "$pid" && [ "$t" -lt 30 ]; do
				sleep 1
				t=$((t + 1))
			done
		fi
		rm -f "$pid"
	done
}

[ $# -ge 2 ] || usage
command=$1 dir=$2
shift 2
case "$command" in
init) init "$dir" "$@" ;;
start) start "$dir" "$@" ;;
stop) stop "$dir" ;;
*) usage ;;
esac
