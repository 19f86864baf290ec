#!/usr/bin/env bash
# Bad input, measured (docs/decisions/0009-bad-input.md): a bounded fuzz run of the parsers that
# take outside input, then schemathesis against the live server with docs/openapi.json. Both print
# their case counts and fail on any finding. Needs a debug build (`swift build`) and
# tests/requirements.txt.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN="${TANDEM_BIN_DIR:-.build/debug}"
"$BIN/tandem-fuzz" --seconds "${TANDEM_FUZZ_SECONDS:-30}"
python3 tests/fuzz/run_schemathesis.py --max-examples "${TANDEM_SCHEMATHESIS_EXAMPLES:-100}"
