#!/usr/bin/env bash
# The binary a GPU server gets (README "Install"): .ci/install.sh builds it with
# --static-swift-stdlib and installs it with its completions into a temporary prefix; it must
# need no Swift library and run with an empty environment; `lfm generate` loads libcurl (dlopen)
# only when it talks HTTP, checked here against the local mock server.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! .ci/install.sh --deps-only; then
  echo "SKIPPED: static binary (pkg-config / libyaml-dev could not be installed)"
  exit 0
fi
prefix=$(mktemp -d "${TMPDIR:-/tmp}/lfm-install.XXXXXX")
trap 'rm -rf "$prefix"' EXIT
.ci/install.sh "$prefix"
for f in bin/lfm share/bash-completion/completions/lfm share/zsh/site-functions/_lfm share/fish/vendor_completions.d/lfm.fish; do
  [ -s "$prefix/$f" ] || { echo "FAIL static binary: $prefix/$f missing" >&2; exit 1; }
done
echo "needs: $(ldd "$prefix/bin/lfm" | awk '{print $1}' | tr '\n' ' ')"
env -i "$prefix/bin/lfm" --version
env -i "$prefix/bin/lfm" validate docs/examples/support_alpaca.json
# generate over HTTP: libcurl is dlopen'd (the package libcurl4; CI machines have it).
mock="$prefix/mock"
mkdir -p "$mock"
python3 Tests/LFMGenerateTests/Fixtures/mock_openai.py --dir "$mock" >/dev/null 2>"$mock/log" &
mock_pid=$!
trap 'kill $mock_pid 2>/dev/null; rm -rf "$prefix"' EXIT
for _ in $(seq 100); do [ -s "$mock/port" ] && break; sleep 0.1; done
[ -s "$mock/port" ] || { echo "FAIL static binary: the mock server did not start" >&2; cat "$mock/log" >&2; exit 1; }
env -i OPENAI_API_KEY=sk-static-test "$prefix/bin/lfm" generate docs/examples/router_manual.txt \
  --base-url "http://127.0.0.1:$(cat "$mock/port")/v1" --model mock-model --out "$prefix/gen.json" >/dev/null
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert len(r) > 0, r' "$prefix/gen.json" \
  || { echo "FAIL static binary: lfm generate wrote no records" >&2; exit 1; }
echo "ok   static binary: installed, no Swift libraries, runs with an empty environment, generate over dlopen'd libcurl"
