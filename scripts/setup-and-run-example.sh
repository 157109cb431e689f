#!/usr/bin/env bash
# README command 1: install what is missing, build, and run the default example
# (Haldane σ_xy(μ) over 1000 Fermi levels) with its plot: out/haldane_ahc.{json,csv,png}; the
# Python package is installed into .venv (`.venv/bin/python -c 'import bzint'`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
# shellcheck disable=SC2046  # no GPU: sm_90 only (scripts/cuda-arch-args.sh)
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release $(bash scripts/cuda-arch-args.sh) \
  -DBZINT_PYTHON=ON -DPython_EXECUTABLE="$PWD/.venv/bin/python"
cmake --build build
# The Python package into .venv (pyproject.toml builds in build/: nothing is compiled again).
.venv/bin/python -m pip install -q --no-build-isolation .
build/bzint run examples/haldane/ahc.toml --out out
/usr/bin/python3 examples/plot.py out haldane_ahc
