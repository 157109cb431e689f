#!/usr/bin/env bash
# Installs the Debian packages bzint needs that are missing (uses sudo when not root), and the
# virtual environment .venv with the Python package's build and test tools from PyPI (docs/python.md).
# The CUDA backend is built when nvcc is found (CUDA Toolkit, e.g. /usr/local/cuda); it is optional.
set -euo pipefail
pkgs=(cmake ninja-build g++ libgtest-dev libbenchmark-dev libtomlplusplus-dev libcli11-dev
      nlohmann-json3-dev libfmt-dev libeigen3-dev libopenmpi-dev openmpi-bin libfftw3-dev pkg-config python3-matplotlib python3-numpy
      python3-dev python3-venv python3-scipy python3-h5py python3-click)
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
# The Python package's build and test tools (nanobind, scikit-build-core, pytest) are not Debian
# packages here; numpy and matplotlib are, and the environment sees them (--system-site-packages).
# PythTB and TBmodels are the peers the package's conversions are tested against; they are installed
# without their optional dependencies (TBmodels' would bring pymatgen and pandas, hundreds of MB):
# what `tbmodels.Model` needs beyond Debian's numpy, scipy, h5py and click is fsc.export and
# fsc.hdf5-io.
if [ ! -x .venv/bin/python ] ||
  ! .venv/bin/python -c "import nanobind, scikit_build_core, numpy, matplotlib, pytest, pythtb, tbmodels" 2>/dev/null; then
  /usr/bin/python3 -m venv --system-site-packages .venv
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q "nanobind>=2.0" "scikit-build-core>=0.10" pytest
  .venv/bin/python -m pip install -q --no-deps pythtb tbmodels fsc.export fsc.hdf5-io
fi
