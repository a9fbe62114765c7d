#!/usr/bin/env bash
# Self-test of load_datasets.py against fixtures/selftest (our own tiny data files):
# well-formed registrations must pass, broken ones (partial `columns`, a skipped row,
# ranking/stage mismatch) must FAIL. Proves the harness can tell the difference.
# Usage: selftest.sh VENV MODELDIR
set -euo pipefail
VENV=${1:?usage: selftest.sh VENV MODELDIR}
MODEL=${2:?usage: selftest.sh VENV MODELDIR}
HERE=$(cd "$(dirname "$0")" && pwd)

out=$("$VENV/bin/python" "$HERE/load_datasets.py" --dataset-dir "$HERE/fixtures/selftest" --model "$MODEL" \
  --template llama3 \
  --check tiny_alpaca:sft --check tiny_sharegpt:sft \
  --check tiny_alpaca_partial_columns:sft --check tiny_sharegpt_partial_columns:sft \
  --check tiny_sharegpt_one_bad_row:sft --check tiny_alpaca:dpo) && rc=0 || rc=$?
# Indented so CI does not read the intended "2 passed, 4 failed" as the run's result.
printf '%s\n' "$out" | sed 's/^/  selftest> /'

expect() { grep -qE "$1" <<<"$out" || { echo "selftest: expected line matching: $1" >&2; exit 1; }; }
expect '^ok   tiny_alpaca \(sft\) rows=3$'
expect '^ok   tiny_sharegpt \(sft\) rows=2$'
expect '^FAIL tiny_alpaca_partial_columns \(sft\): RuntimeError: Cannot find valid samples'
expect '^FAIL tiny_sharegpt_partial_columns \(sft\): KeyError: None'
expect '^FAIL tiny_sharegpt_one_bad_row \(sft\): RuntimeError: LLaMA-Factory dropped 1 example'
expect '^FAIL tiny_alpaca \(dpo\): ValueError: The dataset is not applicable in the current training stage\.'
expect '^2 passed, 4 failed$'
[ "$rc" -eq 1 ] || { echo "selftest: expected exit status 1, got $rc" >&2; exit 1; }
echo "selftest: ok"
