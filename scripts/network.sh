#!/usr/bin/env bash
# The four validators of `--chain local` (Alice, Bob, Charlie and Dave, each an attestor) on
# loopback, each with a fixed node key, its own base path and its own log.
#
#   scripts/network.sh start [--release] [--fresh] [--only NAMES] [--slot-ms MS] [--session-blocks N]
#                            [-- NODE ARGS...]
#   scripts/network.sh status
#   scripts/network.sh stop [NAME...]
#   scripts/network.sh kill NAME...
#
# start    starts the four nodes (building the node first if it is missing) and waits until
#          each answers RPC; --release runs the release build; --fresh wipes their databases;
#          --only alice,dave starts only those (a restart); --slot-ms 3000 runs the network
#          on 3-second Aura slots instead of 6, and --session-blocks 10 on sessions of 10
#          blocks instead of 10 minutes (both from a raw chain spec written into the network's
#          directory, which a restart with --only keeps: give it the options again); arguments
#          after `--` go to every node started.
# status   prints each node's pid, peers, best and finalised block.
# stop     stops the nodes named, or all four (their databases stay; `start --fresh` wipes them).
# kill     kills the nodes named at once (SIGKILL), as a crash or a power cut would.
#
# Node i (0: Alice … 3: Dave) listens for RPC on 9944+i, p2p on 30333+i and Prometheus on
# 9615+i; $OPENLEDGER_NETWORK_RPC_PORT, _P2P_PORT and _PROM_PORT move these bases, so that two
# networks can run side by side (the end-to-end tests do). Files go to $OPENLEDGER_NETWORK_DIR
# (default: $OPENLEDGER_CACHE/network): the base path <name>/, the log <name>.log (a restart
# appends to it) and the pid <name>.pid. $OPENLEDGER_NODE names another node binary.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=env.sh
. "$ROOT/scripts/env.sh"
DIR="${OPENLEDGER_NETWORK_DIR:-$OPENLEDGER_CACHE/network}"
NAMES=(alice bob charlie dave)
RPC=${OPENLEDGER_NETWORK_RPC_PORT:-9944}
P2P=${OPENLEDGER_NETWORK_P2P_PORT:-30333}
PROM=${OPENLEDGER_NETWORK_PROM_PORT:-9615}

rpc() {
	curl -s -m 2 -H 'Content-Type: application/json' \
		-d "{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"$2\",\"params\":[]}" "http://127.0.0.1:$1"
}

running() {
	[ -f "$DIR/$1.pid" ] && kill -0 "$(cat "$DIR/$1.pid")" 2>/dev/null
}

start() {
	local profile=debug fresh=0 only="" slot_ms="" session_blocks=""
	while [ $# -gt 0 ]; do
		case "$1" in
		--release) profile=release ;;
		--fresh) fresh=1 ;;
		--only) only="$2"; shift ;;
		--slot-ms) slot_ms="$2"; shift ;;
		--session-blocks) session_blocks="$2"; shift ;;
		--) shift; break ;;
		*) echo "unknown option $1" >&2; exit 2 ;;
		esac
		shift
	done
	# shellcheck disable=SC2086
	[ -n "$only" ] && named ${only//,/ } >/dev/null
	local node="${OPENLEDGER_NODE:-$CARGO_TARGET_DIR/$profile/openledger-node}"
	if [ ! -x "$node" ]; then
		flags=()
		[ "$profile" = release ] && flags=(--release)
		"$ROOT/scripts/build.sh" "${flags[@]}"
	fi
	mkdir -p "$DIR"
	local chain=local
	if [ -n "$slot_ms$session_blocks" ]; then
		# A restart (--only) joins the running network: it keeps the spec that started it.
		chain=$(custom_spec "$node" "$slot_ms" "$session_blocks" "$([ -n "$only" ] && echo keep)") ||
			exit 1
	fi
	echo "[network] chain spec: $chain"
	# Node keys 1 to 4: Alice's peer id is then known, and she is everyone's bootnode.
	local boot_id
	boot_id=$("$node" key inspect-node-key --file <(printf '%064x' 1))
	local started=()
	for i in "${!NAMES[@]}"; do
		local name=${NAMES[$i]}
		[ -n "$only" ] && [[ ",$only," != *",$name,"* ]] && continue
		started+=("$i")
		if running "$name"; then
			echo "[network] $name is already running (pid $(cat "$DIR/$name.pid"))" >&2
			exit 1
		fi
		[ "$fresh" = 1 ] && rm -rf "${DIR:?}/$name"
		local args=(--chain "$chain" "--$name" --base-path "$DIR/$name"
			--node-key "$(printf '%064x' $((i + 1)))"
			--rpc-port $((RPC + i)) --prometheus-port $((PROM + i))
			--listen-addr "/ip4/127.0.0.1/tcp/$((P2P + i))"
			--no-mdns --no-telemetry --ipfs-server "$@")
		[ "$i" -gt 0 ] && args+=(--bootnodes "/ip4/127.0.0.1/tcp/$P2P/p2p/$boot_id")
		echo "[network] $(date -u +%FT%TZ) starting $name" >>"$DIR/$name.log"
		"$node" "${args[@]}" >>"$DIR/$name.log" 2>&1 &
		echo $! >"$DIR/$name.pid"
		echo "[network] $name: pid $!, rpc ws://127.0.0.1:$((RPC + i)), log $DIR/$name.log"
	done
	for i in "${started[@]}"; do
		local name=${NAMES[$i]} t=0
		until rpc $((RPC + i)) system_health | grep -q '"result"'; do
			if ! running "$name"; then
				echo "[network] $name exited; the end of its log:" >&2
				tail -n 20 "$DIR/$name.log" >&2
				exit 1
			fi
			t=$((t + 1))
			[ "$t" -gt 300 ] && { echo "[network] $name does not answer RPC" >&2; exit 1; }
			sleep 1
		done
	done
	echo "[network] $(for i in "${started[@]}"; do printf '%s ' "${NAMES[$i]}"; done)answer RPC"
}

# The raw chain spec of `--chain local` with Aura slots of $2 ms and sessions of $3 blocks
# (either may be empty: the runtime's own), written to $DIR/local-<ms>ms-<n>b.json from the
# node's own runtime (its path is printed), or kept as it is when $4 is `keep` and it exists.
# The runtime reads half the slot from the storage key `:MinimumPeriod:` (a SCALE u64;
# runtime/src/configs/mod.rs) and the session's length from `:SessionBlocks:` (a SCALE u32;
# runtime/src/configs/validators.rs), each key the twox_128 of its name; no preset writes them.
MINIMUM_PERIOD_KEY=0x07090971b1d5f02515325c0ca7d18c20
SESSION_BLOCKS_KEY=0x7037d64d17e4a5d818db5d153f5ea94e
custom_spec() {
	local node=$1 ms=$2 blocks=$3 keep=${4:-}
	[ -z "$ms" ] || { [[ "$ms" =~ ^[0-9]+$ ]] && [ "$ms" -ge 1000 ] && [ $((ms % 2)) = 0 ]; } ||
		{ echo "[network] --slot-ms takes an even number of milliseconds, 1000 or more" >&2; exit 2; }
	[ -z "$blocks" ] || { [[ "$blocks" =~ ^[0-9]+$ ]] && [ "$blocks" -ge 2 ] && [ "$blocks" -lt 100000 ]; } ||
		{ echo "[network] --session-blocks takes a number of blocks, 2 or more" >&2; exit 2; }
	local spec="$DIR/local-${ms:-default}ms-${blocks:-default}b.json"
	if [ "$keep" != keep ] || [ ! -f "$spec" ]; then
		local filter='.'
		[ -n "$ms" ] && filter+=" | .genesis.raw.top[\"$MINIMUM_PERIOD_KEY\"] = \"0x$(le_hex 8 $((ms / 2)))\""
		[ -n "$blocks" ] && filter+=" | .genesis.raw.top[\"$SESSION_BLOCKS_KEY\"] = \"0x$(le_hex 4 "$blocks")\""
		"$node" export-chain-spec --chain local --raw 2>/dev/null | jq "$filter" >"$spec.tmp" ||
			{ echo "[network] could not write the chain spec $spec" >&2; exit 1; }
		mv "$spec.tmp" "$spec"
	fi
	echo "$spec"
}

# $2 as $1 little-endian bytes, in hex (a SCALE unsigned integer).
le_hex() {
	printf "%0$(($1 * 2))x" "$2" | sed 's/../& /g' | awk '{for (i = NF; i > 0; i--) printf "%s", $i}'
}

status() {
	for i in "${!NAMES[@]}"; do
		local name=${NAMES[$i]}
		if ! running "$name"; then
			echo "$name: not running"
			continue
		fi
		local health best fin
		health=$(rpc $((RPC + i)) system_health | sed -n 's/.*"peers":\([0-9]*\).*/\1/p')
		best=$(rpc $((RPC + i)) chain_getHeader | sed -n 's/.*"number":"\(0x[0-9a-f]*\)".*/\1/p')
		fin=$(curl -s -m 2 -H 'Content-Type: application/json' \
			-d '{"id":1,"jsonrpc":"2.0","method":"chain_getFinalizedHead","params":[]}' \
			"http://127.0.0.1:$((RPC + i))" | sed -n 's/.*"result":"\(0x[0-9a-f]*\)".*/\1/p')
		local finn=""
		if [ -n "$fin" ]; then
			finn=$(curl -s -m 2 -H 'Content-Type: application/json' \
				-d "{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"chain_getHeader\",\"params\":[\"$fin\"]}" \
				"http://127.0.0.1:$((RPC + i))" | sed -n 's/.*"number":"\(0x[0-9a-f]*\)".*/\1/p')
		fi
		echo "$name: pid $(cat "$DIR/$name.pid"), ${health:-?} peers, best #$((${best:-0})), finalised #$((${finn:-0}))"
	done
}

# The validators named in "$@" (each checked), or all four.
named() {
	[ $# = 0 ] && set -- "${NAMES[@]}"
	for name in "$@"; do
		[[ " ${NAMES[*]} " == *" $name "* ]] || { echo "[network] no validator $name (${NAMES[*]})" >&2; exit 2; }
		echo "$name"
	done
}

stop() {
	local names
	names=$(named "$@")
	for name in $names; do
		if running "$name"; then
			kill "$(cat "$DIR/$name.pid")"
		fi
	done
	for name in $names; do
		local t=0
		while running "$name" && [ "$t" -lt 30 ]; do
			sleep 1
			t=$((t + 1))
		done
		running "$name" && kill -9 "$(cat "$DIR/$name.pid")"
		rm -f "$DIR/$name.pid"
	done
	echo "[network] stopped" $names
}

kill_now() {
	[ $# -gt 0 ] || { echo "[network] kill: name the validators to kill" >&2; exit 2; }
	local names
	names=$(named "$@")
	for name in $names; do
		if running "$name"; then
			local pid
			pid=$(cat "$DIR/$name.pid")
			kill -9 "$pid"
			while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
		fi
		rm -f "$DIR/$name.pid"
	done
	echo "[network] killed" $names
}

cmd="${1:-}"
[ $# -gt 0 ] && shift
case "$cmd" in
start) start "$@" ;;
status) status ;;
stop) stop "$@" ;;
kill) kill_now "$@" ;;
*)
	sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'
	exit 2
	;;
esac
