#!/usr/bin/env bash
# The README's main command (test/demo.sh) runs to the end on embedded defaults: both demo
# databases registered and reachable, synced, changed on the remote, synced again incrementally.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$(mktemp)
trap 'rm -f "$out"' EXIT
bash test/demo.sh >"$out" 2>&1 || { tail -40 "$out"; exit 1; }
check() { grep -qE "$1" "$out" || { echo "demo output lacks: $1"; tail -40 "$out"; exit 1; }; }
check '^ acme_erp +\| true'
check '^ acme_shop +\| true'
check 'customers +full +\+500 ~0 -0'
check 'customers +incremental +\+0 ~3 -0'
check 'products +full +\+300 ~0 -0'
check 'products +incremental +\+0 ~3 -0'
check '^== demo finished'
[ "$(grep -c ': succeeded, ' "$out")" = 4 ]
echo "the README demo works"
