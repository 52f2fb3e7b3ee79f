#!/usr/bin/env bash
# Builds the two base images deploy/Dockerfile takes where no registry is reachable, and prints
# the variables ContainerImageIT reads:
#   vane-local/debian:bookworm  debootstrap --variant=minbase bookworm, imported (BASE_IMAGE)
#   vane-local/jdk:latest       that, plus this machine's JDK under /opt/jdk (JDK_IMAGE: jdeps, jlink)
# Needs root, debootstrap and a running Docker daemon. Images already present are kept.
#   eval "$(tools/docker-local-bases.sh)"
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/jdk.sh >/dev/null
jdk=${JAVA_HOME:?}
if ! docker image inspect vane-local/debian:bookworm >/dev/null 2>&1; then
  root=$(mktemp -d)
  for try in 1 2 3; do # the Debian mirror is the network's one point of failure: three tries
    debootstrap --variant=minbase bookworm "$root" >&2 && break
    [ $try -lt 3 ] || { echo "debootstrap failed three times" >&2; exit 1; }
    rm -rf "$root"; root=$(mktemp -d); sleep 10
  done
  tar -C "$root" -c . | docker import - vane-local/debian:bookworm >&2
  rm -rf "$root"
fi
if ! docker image inspect vane-local/jdk:latest >/dev/null 2>&1; then
  ctx=$(mktemp -d)
  cp -rL "$jdk" "$ctx/jdk"
  printf 'FROM vane-local/debian:bookworm\nCOPY jdk /opt/jdk\nENV JAVA_HOME=/opt/jdk PATH=/opt/jdk/bin:$PATH\n' > "$ctx/Dockerfile"
  docker build -q -t vane-local/jdk:latest "$ctx" >&2
  rm -rf "$ctx"
fi
echo "export VANE_TEST_BASE_IMAGE=vane-local/debian:bookworm VANE_TEST_JDK_IMAGE=vane-local/jdk:latest"
