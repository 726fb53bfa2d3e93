#!/usr/bin/env bash
# Runs Go fuzz targets one after another: scripts/fuzz.sh [-keep N] FUZZTIME pkg:FuzzName...
#
# FUZZTIME is a duration (60s) or a count of executions (20000x). A count is
# what CI's smoke run uses: with a duration, Go 1.26's fuzz coordinator can
# fail a target with a bare "context deadline exceeded" when the time runs
# out while a worker is busy (golang/go#75804, fixed in Go 1.27). With a
# duration, such a failure is reported as that bug, not as a crash, when it
# wrote no failing input to testdata/fuzz; any written input fails the run.
#
# -keep N (make fuzz-corpus) then copies what the fuzzer found into the
# kept corpus, pkg/testdata/fuzz/FuzzName/, which every plain `go test`
# replays (under WebAssembly too): Go keeps its finds in GOCACHE, which CI
# does not have. Only inputs that reached new code are in GOCACHE; the kept
# corpus takes the newest of them (found last, they reach furthest) up to N
# files per target, skipping files over 16 KiB so the replay stays quick.
# Files already kept stay: delete a target's directory to start it afresh.
set -uo pipefail
keep=""
if [ "${1:-}" = "-keep" ]; then keep=$2; shift 2; fi
fuzztime=$1; shift
maxbytes=16384
status=0
for target in "$@"; do
  pkg=${target%%:*}; name=${target##*:}
  corpus="$pkg/testdata/fuzz/$name"
  before=$(ls "$corpus" 2>/dev/null | sort)
  echo "== $name ($fuzztime)"
  out=$(go test -run='^$' -fuzz="^${name}\$" -fuzztime="$fuzztime" "./$pkg/" 2>&1)
  rc=$?
  echo "$out" | tail -n 4
  if [ $rc -ne 0 ]; then
    after=$(ls "$corpus" 2>/dev/null | sort)
    if [ "$before" = "$after" ] && grep -q "context deadline exceeded" <<<"$out"; then
      echo "   (not a crash: Go's fuzz coordinator stopped late, golang/go#75804; no failing input was written)"
    else
      echo "$out" | grep -A20 -- "--- FAIL" | head -40
      status=1
    fi
  fi
  if [ -n "$keep" ]; then
    cache="$(go env GOCACHE)/fuzz/$(go list "./$pkg")/$name"
    mkdir -p "$corpus"
    have=$(ls "$corpus" | wc -l); added=0
    for f in $(ls -t "$cache" 2>/dev/null); do
      [ "$have" -ge "$keep" ] && break
      [ -e "$corpus/$f" ] && continue
      [ "$(wc -c < "$cache/$f")" -gt "$maxbytes" ] && continue
      cp "$cache/$f" "$corpus/$f"
      have=$((have + 1)); added=$((added + 1))
    done
    echo "   kept corpus: $corpus has $have files ($added new, $(cat "$corpus"/* 2>/dev/null | wc -c) bytes)"
  fi
done
exit $status
