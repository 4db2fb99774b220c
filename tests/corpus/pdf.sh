#!/usr/bin/env bash
# Runs `bpfpress ingest` over every PDF of a public corpus (pypdf's
# `resources/`) and fails on a crash, a hang (60 s) or a peak RSS over 1 GiB.
# Clear errors (exit 2) are fine: many of those files are broken on purpose.
# Nothing is downloaded; the script skips when the corpus is absent.
#
#   git -C pypdf archive HEAD resources | tar -x -C /tmp && mv /tmp/resources /tmp/pypdf-resources
#   bash tests/corpus/pdf.sh [/tmp/pypdf-resources]
#
# Needs GNU time (/usr/bin/time) and coreutils timeout.
set -uo pipefail
cd "$(dirname "$0")/../.."
dir=${1:-${PYPDF_RESOURCES:-/tmp/pypdf-resources}}
if [ ! -d "$dir" ] || ! ls "$dir"/*.pdf >/dev/null 2>&1; then
  echo "skip: no PDFs in $dir (extract pypdf's resources/*.pdf there)"
  exit 0
fi
bin=${BPFPRESS:-target/debug/bpfpress}
if [ ! -x "$bin" ]; then
  cargo build --quiet || exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 ok=0 err=0 panics=0 bad=0 maxkb=0 maxfile=""
start=$(date +%s.%N)
for f in "$dir"/*.pdf; do
  n=$((n + 1))
  /usr/bin/time -f %M -o "$tmp/mem" timeout 60 "$bin" ingest "$f" >/dev/null 2>"$tmp/err"
  rc=$?
  kb=$(tail -1 "$tmp/mem" 2>/dev/null || echo 0)
  [[ $kb =~ ^[0-9]+$ ]] || kb=0
  if [ "$kb" -gt "$maxkb" ]; then maxkb=$kb maxfile=$(basename "$f"); fi
  case $rc in
    0) ok=$((ok + 1)) ;;
    2)
      err=$((err + 1))
      if grep -q "internal parser failure" "$tmp/err"; then panics=$((panics + 1)); fi
      echo "  $(head -1 "$tmp/err")"
      ;;
    124) echo "HANG: $f"; bad=$((bad + 1)) ;;
    *) echo "CRASH (exit $rc): $f"; sed 's/^/    /' "$tmp/err" | head -5; bad=$((bad + 1)) ;;
  esac
  if [ "$kb" -gt 1048576 ]; then echo "MEMORY ${kb} KB: $f"; bad=$((bad + 1)); fi
done
secs=$(echo "$(date +%s.%N) - $start" | bc)
echo "pdf corpus: $n files, $ok read, $err clear errors ($panics caught parser panics), $bad failures;" \
  "peak RSS ${maxkb} KB ($maxfile); ${secs}s"
[ "$bad" -eq 0 ]
