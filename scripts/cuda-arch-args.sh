#!/usr/bin/env bash
# The CMake arguments for the device architectures of the README's two commands: on a machine with
# no GPU the device code is only compiled and checked, never run, so one architecture (sm_90) is
# enough and saves a third of nvcc's time; with a GPU, none (CMakeLists.txt's defaults, sm_80 and
# sm_90). Builds for GPU nodes made on a machine without one: configure with
# -DCMAKE_CUDA_ARCHITECTURES="80;90" yourself.
if ! { command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; }; then
  echo "-DCMAKE_CUDA_ARCHITECTURES=90"
fi
