#!/usr/bin/env bash
# Runs bpfpress over the public corpora (see fetch.sh, which it calls
# first): every .pdf, .docx/.docm/.dotx and legacy Office file must read or
# fail with a clean one-line error (exit 2) — no crash, no internal parser
# failure, no hang (60 s), no peak memory over MAX_RSS_KB (default 1 GiB).
# Then the same in process, with the error messages checked
# (tests/corpus.rs, an ignored test).
#
#   bash tests/corpus/run.sh [DIR]
#
# Uses the release binary if built, else the debug one (cargo build first).
# Needs GNU time (/usr/bin/time) and coreutils timeout.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=${1:-$root/target/corpus}
bash "$root/tests/corpus/fetch.sh" "$dir" || exit 1
max_rss_kb=${MAX_RSS_KB:-1048576}
bin=$root/target/release/bpfpress
[[ -x $bin ]] || bin=$root/target/debug/bpfpress
[[ -x $bin ]] || { echo "build bpfpress first (cargo build)" >&2; exit 1; }
mapfile -t files < <(find -L "$dir" -type f \( -name '*.pdf' -o -name '*.docx' -o -name '*.docm' \
  -o -name '*.dotx' -o -name '*.doc' -o -name '*.xls' -o -name '*.ppt' -o -name '*.msg' \) | sort)
if [[ ${#files[@]} -eq 0 ]]; then
  echo "skip: no corpus files under $dir"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ok=0 clean=0 bad=0 peak=0 peakfile=
start=$(date +%s.%N)
for f in "${files[@]}"; do
  /usr/bin/time -f '%M' -o "$tmp/mem" timeout 60 "$bin" ingest "$f" >/dev/null 2>"$tmp/err"
  rc=$?
  rss=$(tail -n1 "$tmp/mem" | tr -dc '0-9')
  rss=${rss:-0}
  if (( rss > peak )); then peak=$rss peakfile=$f; fi
  if [[ $rc -eq 0 ]]; then
    ok=$((ok + 1))
  elif [[ $rc -eq 2 ]] && ! grep -q -e 'internal parser failure' -e 'took longer than' "$tmp/err"; then
    clean=$((clean + 1))
  else
    bad=$((bad + 1))
    echo "FAIL (exit $rc): $f: $(head -n3 "$tmp/err")"
  fi
  if (( rss > max_rss_kb )); then
    bad=$((bad + 1))
    echo "FAIL: $f peaked at ${rss} KB"
  fi
done
secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }')
echo "${#files[@]} files: $ok read, $clean clean errors, $bad failures;" \
  "peak RSS ${peak} KB ($(basename "$peakfile")); ${secs}s ($(basename "$bin"))"
[[ $bad -eq 0 ]] || exit 1
cd "$root" && BPFPRESS_CORPUS=$dir cargo test --release --test corpus --quiet -- --ignored --nocapture
