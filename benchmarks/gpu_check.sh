#!/usr/bin/env bash
# GPU check (under 8 minutes on one GPU): the gpu-marked tests, then the torch solver's CPU and
# CUDA answers on the benchmark problems (agreement to 1e-8) and the throughput of a batch of
# 256 instances of (8) against Clarabel on the CPU (benchmarks/gpu_check.py). Figures, with the
# device name, go to benchmarks/out/gpu_check.json; the log to benchmarks/out/gpu_check.log.
#
#   bash benchmarks/gpu_check.sh            # from the repository root, with .venv installed
#
# Exit status: 0 when both parts pass, 1 when either fails, 2 without CUDA.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
mkdir -p benchmarks/out
LOG=benchmarks/out/gpu_check.log
: >"$LOG"

if ! "$PY" -c 'import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)'; then
    echo "error: CUDA is not available to $PY" | tee -a "$LOG" >&2
    exit 2
fi
"$PY" -c 'import torch; print("device:", torch.cuda.get_device_name(), "torch", torch.__version__)' \
    | tee -a "$LOG"

status=0
echo "== pytest -m gpu" | tee -a "$LOG"
timeout 240 "$PY" -m pytest -m gpu -q -p no:cacheprovider tests 2>&1 | tee -a "$LOG"
rc=${PIPESTATUS[0]}
# 5: no gpu-marked test collected, which is a failure of this check too
[ "$rc" -eq 0 ] || { echo "pytest -m gpu: exit $rc" | tee -a "$LOG"; status=1; }

echo "== CPU vs CUDA agreement and batch throughput" | tee -a "$LOG"
timeout 200 "$PY" benchmarks/gpu_check.py --sizes 50 200 --batch 256 --P 50 --agree 1e-8 \
    2>&1 | tee -a "$LOG"
rc=${PIPESTATUS[0]}
[ "$rc" -eq 0 ] || { echo "gpu_check.py: exit $rc" | tee -a "$LOG"; status=1; }

echo "gpu check: $([ $status -eq 0 ] && echo pass || echo FAIL) (log $LOG)" | tee -a "$LOG"
exit $status
