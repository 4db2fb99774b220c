#!/usr/bin/env bash
# Run the DOCX reader over every .docx in pandoc's test suite (test/docx/):
# no panic, no hang, bounded memory. The files are not committed; pass a
# folder holding them, or set PANDOC_GIT to a pandoc git directory to
# extract them into a temporary folder. Skips cleanly when neither is there.
#
#   tests/corpus/docx.sh [DIR]
#   PANDOC_GIT=/path/to/pandoc/.git tests/corpus/docx.sh
#
# Uses the release binary if built, else the debug one (cargo build first).
# Then reads them in process and checks that the DOCX prepass's tidying
# leaves every model unchanged (a release unit test; SKIP_TIDY_CHECK=1
# skips it).
# Fails when a file makes the binary exit with anything but 0 (read) or
# 2 (clean error), reports an internal parser failure or timeout, takes
# longer than 60 s, or peaks above MAX_RSS_KB (default 1 GiB).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
max_rss_kb=${MAX_RSS_KB:-1048576}
dir=${1:-}
if [[ -z $dir && -n ${PANDOC_GIT:-} ]]; then
  dir=$(mktemp -d)
  trap 'rm -rf "$dir"' EXIT
  git --git-dir="$PANDOC_GIT" archive HEAD test/docx | tar -x -C "$dir"
fi
if [[ -z $dir || ! -d $dir ]]; then
  echo "skip: no pandoc test/docx folder given (see the header of $0)"
  exit 0
fi
bin=$root/target/release/bpfpress
[[ -x $bin ]] || bin=$root/target/debug/bpfpress
[[ -x $bin ]] || { echo "build bpfpress first (cargo build)" >&2; exit 1; }
mapfile -t files < <(find "$dir" -name '*.docx' | sort)
if [[ ${#files[@]} -eq 0 ]]; then
  echo "skip: no .docx under $dir"
  exit 0
fi
ok=0 clean=0 bad=0 peak=0
start=$(date +%s.%N)
log=$(mktemp)
for f in "${files[@]}"; do
  set +e
  /usr/bin/time -f '%M' -o "$log.time" timeout 60 "$bin" ingest "$f" >/dev/null 2>"$log"
  rc=$?
  set -e
  rss=$(tail -n1 "$log.time" | tr -dc '0-9')
  (( rss > peak )) && peak=$rss
  if [[ $rc -eq 0 ]]; then
    ok=$((ok + 1))
  elif [[ $rc -eq 2 ]] && ! grep -q -e 'internal parser failure' -e 'took longer than' "$log"; then
    clean=$((clean + 1))
    echo "clean error: $(head -n1 "$log")"
  else
    bad=$((bad + 1))
    echo "FAIL (exit $rc): $f: $(head -n3 "$log")"
  fi
  if (( rss > max_rss_kb )); then
    bad=$((bad + 1))
    echo "FAIL: $f peaked at ${rss} KB"
  fi
done
rm -f "$log" "$log.time"
secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
echo "${#files[@]} files: $ok ok, $clean clean errors, $bad failures; peak RSS ${peak} KB; ${secs}s ($(basename "$bin"))"
[[ $bad -eq 0 ]]
# In process too, and the prepass's tidying must not change any model
# (see src/ingest/docx/tidy.rs).
if [[ ${SKIP_TIDY_CHECK:-} != 1 ]]; then
  (cd "$root" && BPFPRESS_PANDOC_DOCX=$dir cargo test --release --lib --quiet \
    ingest::docx::tests::pandoc_corpus -- --ignored --exact --nocapture)
fi
