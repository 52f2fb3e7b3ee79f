#!/usr/bin/env bash
# Every issue benchmark in one go (the figures of docs/performance.md), one JSON line per run.
#   tools/bench-all.sh > bench.log
cd "$(dirname "$0")/.."
echo "# $(date -u +%H:%M) load $(cut -d' ' -f1-3 /proc/loadavg)"
./vane bench BandwidthBench --runs 3 2>&1 | grep "^{"
./vane bench DecodeBench --preset smollm2-135m --dtype f16 --threads 2 --runs 3 2>&1 | grep "^{"
echo "# $(date -u +%H:%M) load $(cut -d' ' -f1-3 /proc/loadavg)"
./vane bench SteeringBench --preset smollm2-135m --dtype f16 --runs 5 --gen-len 128 --batches 1,8 2>&1 | grep "^{"
echo "# $(date -u +%H:%M) load $(cut -d' ' -f1-3 /proc/loadavg)"
./vane bench ConcurrencyBench --preset smollm2-135m --dtype f16 --streams 1,4,8,16 --gen-len 64 2>&1 | grep "^{"
./vane bench ConcurrencyBench --preset smollm2-135m --dtype f16 --streams 1,8 --gen-len 64 2>&1 | grep "^{"
echo "# $(date -u +%H:%M) load $(cut -d' ' -f1-3 /proc/loadavg)"
./vane bench LayerSkipBench --preset smollm2-135m --dtype f16 --runs 3 --gen-len 64 --fractions 1,0.75,0.5,0.25 2>&1 | grep "^{"
echo "# $(date -u +%H:%M) done"
