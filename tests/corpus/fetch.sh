#!/usr/bin/env bash
# Fetches the public test corpora the ignored corpus tests read, into DIR
# (default target/corpus), one folder each. Nothing here is committed.
#
#   pandoc   jgm/pandoc          test/docx           DOCX written by many tools
#   pdfjs    mozilla/pdf.js      test/pdfs           PDFs that broke pdf.js
#   pdfium   chromium/pdfium     testing/resources   PDFs that broke PDFium
#   poi      apache/poi          test-data/document  .doc/.docx that broke POI
#   pypdf    py-pdf/pypdf        resources           PDFs of pypdf's tests
#
# Each comes from a local git directory when one is named in the
# environment (PANDOC_GIT, PDFJS_GIT, PDFIUM_GIT, POI_GIT, PYPDF_GIT: a
# clone's .git or a bare repository; blobs missing from a partial copy are
# skipped), else from a shallow, sparse clone of the public repository.
# A corpus already in DIR is kept; remove its folder to fetch it again.
#
#   bash tests/corpus/fetch.sh [DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=${1:-$root/target/corpus}
mkdir -p "$dir"

# extract GITDIR PATH DEST: the files under PATH at HEAD, missing blobs skipped.
extract() {
  local git=$1 path=$2 dest=$3
  mkdir -p "$dest"
  git --git-dir="$git" ls-tree -r HEAD -- "$path" | while read -r _ type obj file; do
    [[ $type == blob ]] || continue
    out=$dest/${file#"$path"/}
    mkdir -p "$(dirname "$out")"
    git --git-dir="$git" cat-file blob "$obj" >"$out" 2>/dev/null || rm -f "$out"
  done
}

# fetch NAME REPO PATH GITVAR
fetch() {
  local name=$1 repo=$2 path=$3 var=$4
  local dest=$dir/$name
  if [[ -d $dest ]] && [[ -n $(ls -A "$dest") ]]; then
    echo "$name: already in $dest"
    return
  fi
  local git=${!var:-}
  if [[ -n $git ]]; then
    extract "$git" "$path" "$dest"
  else
    local tmp
    tmp=$(mktemp -d)
    if ! git clone --quiet --depth 1 --filter=blob:none --sparse "https://github.com/$repo" "$tmp/repo" ||
      ! git -C "$tmp/repo" sparse-checkout set "$path"; then
      echo "$name: could not clone $repo (offline?); set $var to a local copy" >&2
      rm -rf "$tmp"
      return
    fi
    mkdir -p "$dest"
    cp -R "$tmp/repo/$path/." "$dest/"
    rm -rf "$tmp"
  fi
  echo "$name: $(find "$dest" -type f | wc -l) files in $dest"
}

fetch pandoc jgm/pandoc test/docx PANDOC_GIT
fetch pdfjs mozilla/pdf.js test/pdfs PDFJS_GIT
fetch pdfium chromium/pdfium testing/resources PDFIUM_GIT
fetch poi apache/poi test-data/document POI_GIT
fetch pypdf py-pdf/pypdf resources PYPDF_GIT
