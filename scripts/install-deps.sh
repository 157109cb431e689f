#!/usr/bin/env bash
# Installs the Debian packages bzint needs that are missing (uses sudo when not root).
# The CUDA backend is built when nvcc is found (CUDA Toolkit, e.g. /usr/local/cuda); it is optional.
set -euo pipefail
pkgs=(cmake ninja-build g++ libgtest-dev libbenchmark-dev libtomlplusplus-dev libcli11-dev
      nlohmann-json3-dev libfmt-dev libopenmpi-dev openmpi-bin libfftw3-dev pkg-config python3-matplotlib python3-numpy)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
fi
