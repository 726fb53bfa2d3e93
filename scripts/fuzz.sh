#!/usr/bin/env bash
# Runs Go fuzz targets one after another: scripts/fuzz.sh FUZZTIME pkg:FuzzName...
#
# FUZZTIME is a duration (60s) or a count of executions (20000x). A count is
# what CI's smoke run uses: with a duration, Go 1.26's fuzz coordinator can
# fail a target with a bare "context deadline exceeded" when the time runs
# out while a worker is busy (golang/go#75804, fixed in Go 1.27). With a
# duration, such a failure is reported as that bug, not as a crash, when it
# wrote no failing input to testdata/fuzz; any written input fails the run.
set -uo pipefail
fuzztime=$1; shift
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
done
exit $status
