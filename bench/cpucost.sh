#!/bin/sh
# cpucost.sh: what each echo server spends per message in a few cells,
# measured so that a busy machine does not change the figure: the
# instructions the server executes in user space (valgrind's callgrind,
# counted over a fixed number of messages after a warm-up) and the system
# calls it makes (perf stat on the raw_syscalls tracepoint, which needs no
# hardware counter). Kernel time is not in the instruction
# count; the system calls stand for it. See docs/performance.md.
#
#   bench/cpucost.sh [servers...]      (default: wsplay gorilla gobwas coder gws)
#
# WSPLAY=path picks the wsplay binary (default ../bin/wsplay), N the
# measured messages per cell (default 2000), CELLS the cells as
# "size:pieces:depth" words. DEFLATE=1 measures the permessage-deflate
# echo instead: the servers negotiate it (-compress; wsplay does by
# default), the load generator sends compressed JSON-like text (harness
# drive -deflate), the cells default to "1024:1:1 65536:1:1" and the
# servers to those that support it, wsplay gorilla coder gws.
# Run from bench/ after go build -o bin/
# ./servers/... ./harness. Needs valgrind (Debian: apt-get install valgrind).
set -eu
cd "$(dirname "$0")"
WSPLAY=${WSPLAY:-../bin/wsplay}
N=${N:-2000}
DEFLATE=${DEFLATE:-}
if [ -n "$DEFLATE" ]; then
	CELLS=${CELLS:-"1024:1:1 65536:1:1"}
	servers=${*:-wsplay gorilla coder gws}
	zserver=-compress
	zdrive=-deflate
	# A compressed 64 KiB echo runs for tens of milliseconds under
	# callgrind; the Go runtime then preempts it with a signal, which
	# callgrind 3.19 fails an assertion on (threads.c:247). Without
	# asynchronous preemption the servers run as before, less the signal.
	zgodebug=,asyncpreemptoff=1
else
	CELLS=${CELLS:-"16:1:1 65536:1:1 65536:4:1 1024:4:1"}
	servers=${*:-wsplay gorilla gobwas coder gws}
	zserver=
	zdrive=
	zgodebug=
fi
out=$(mktemp -d)
pids=
trap 'for p in $pids; do kill "$p" 2>/dev/null; done; rm -rf "$out"' EXIT
port=18300
for s in $servers; do
	port=$((port + 1))
	addr=127.0.0.1:$port
	case $s in
	wsplay) cmd="$WSPLAY serve -addr $addr -max-message 1048576" ;;
	*) cmd="bin/$s -addr $addr $zserver" ;;
	esac
	# First without valgrind: system calls per message and CPU time (the
	# threads' schedstat), the latter as noisy as the machine is busy.
	taskset -c 0 $cmd >"$out/$s.plain.log" 2>&1 &
	ppid=$!
	pids="$pids $ppid"
	for _ in $(seq 100); do
		bin/harness drive -addr "$addr" $zdrive -messages 1 -warmup 0 >/dev/null 2>&1 && break
		sleep 0.1
	done
	for c in $CELLS; do
		size=${c%%:*}; rest=${c#*:}; pieces=${rest%%:*}; depth=${rest#*:}
		m=$((N * 5))
		rm -f "$out/perf"
		line=$(taskset -c 1 bin/harness drive -addr "$addr" $zdrive -pid "$ppid" -size "$size" -pieces "$pieces" -depth "$depth" \
			-messages $m -warmup $((N / 2)) \
			-mark-start "perf stat -x, -e raw_syscalls:sys_enter,context-switches -p $ppid -o $out/perf >/dev/null 2>&1 & echo \$! >$out/perf.pid; sleep 0.1" \
			-mark-end "kill -INT \$(cat $out/perf.pid); sleep 0.3" 2>&1) || line="failed: $line"
		touch "$out/perf"
		sc=$(awk -F, -v m=$m '$3 == "raw_syscalls:sys_enter" { printf "%.2f", $1 / m }' "$out/perf")
		cs=$(awk -F, -v m=$m '$3 == "context-switches" { printf "%.2f", $1 / m }' "$out/perf")
		case $line in
		failed:*) echo "$line" >"$out/$s.$c.plain" ;;
		*) echo "$line" | sed -n "s/.*: server CPU \(.*\)/\1, all system calls $sc\/msg, context switches $cs\/msg/p" >"$out/$s.$c.plain" ;;
		esac
	done
	kill "$ppid"; wait "$ppid" 2>/dev/null || true
	port=$((port + 1))
	addr=127.0.0.1:$port
	case $s in
	wsplay) cmd="$WSPLAY serve -addr $addr -max-message 1048576" ;;
	*) cmd="bin/$s -addr $addr $zserver" ;;
	esac

	# Go 1.26 reads the time stamp counter with RDTSCP, which valgrind
	# 3.19 does not know: GODEBUG turns the runtime's use of it off.
	GODEBUG=cpu.rdtscp=off$zgodebug taskset -c 0 valgrind --tool=callgrind --instr-atstart=no \
		--callgrind-out-file="$out/$s.%p" $cmd >"$out/$s.log" 2>&1 &
	vpid=$!
	pids="$pids $vpid"
	for _ in $(seq 900); do
		grep -q "Command:" "$out/$s.log" 2>/dev/null && bin/harness drive -addr "$addr" $zdrive -messages 1 -warmup 0 >/dev/null 2>&1 && break
		sleep 0.1
	done
	for c in $CELLS; do
		size=${c%%:*}; rest=${c#*:}; pieces=${rest%%:*}; depth=${rest#*:}
		rm -f "$out/$s.$vpid".*
		# Under valgrind a connection now and then ends early (reset);
		# the cell is then reported as failed, not guessed.
		ir=0
		if taskset -c 1 bin/harness drive -addr "$addr" $zdrive -size "$size" -pieces "$pieces" -depth "$depth" \
			-messages "$N" -warmup $((N / 10 + 20)) \
			-mark-start "callgrind_control -i on $vpid >/dev/null" \
			-mark-end "callgrind_control -d $vpid >/dev/null; callgrind_control -i off $vpid >/dev/null" >"$out/drive.log" 2>&1; then
			ir=$(sed -n 's/^totals: //p' "$out/$s.$vpid".* | head -1)
		else
			echo "$s, $c under valgrind: $(cat "$out/drive.log")" >&2
		fi
		printf '%-8s %6s B, %s pieces, depth %2s: %7d instructions/msg; without valgrind: %s\n' "$s" "$size" "$pieces" "$depth" $((ir / N)) "$(cat "$out/$s.$c.plain")"
	done
	kill "$vpid" 2>/dev/null || true
	wait "$vpid" 2>/dev/null || true
done
