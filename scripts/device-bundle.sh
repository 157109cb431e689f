#!/usr/bin/env bash
# Fetches the Debian packages that bzint builds and tests against (the -dev packages and the
# libraries they need at run time) into device-bundle/debs (git-ignored), for
# scripts/device-check.sh on a GPU machine that has CUDA, CMake and ninja but no -dev packages and
# no network (docs/device-check.md). Run on a Debian 12 machine with network access.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=${1:-device-bundle}
packages=(
  libfmt-dev libfmt9
  libtomlplusplus-dev libtomlplusplus3
  libcli11-dev nlohmann-json3-dev libeigen3-dev
  libgtest-dev libgmock-dev googletest
  libbenchmark-dev libbenchmark1debian
  libfftw3-dev libfftw3-double3 libfftw3-single3 libfftw3-long3 libfftw3-quad3 libfftw3-bin
  pkgconf pkgconf-bin libpkgconf3
)
rm -rf "$dest/debs"
mkdir -p "$dest/debs"
(cd "$dest/debs" && apt-get download "${packages[@]}")
# bcc Fe's Wannier90 model for bench/device_rates.py's Wannier case, when the project's shared data
# is beside the clone (the device machine has no ../shared).
if [ -f ../shared/data/wannier/Fe_hr.dat ]; then
  mkdir -p "$dest/data"
  cp ../shared/data/wannier/Fe_hr.dat "$dest/data/"
fi
du -sh "$dest/debs"
ls "$dest/debs"
