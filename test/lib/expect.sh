# Assertions the integration scripts share: each prints "  ok: what" or fails the script.
#
#   expect_eq ACTUAL EXPECTED "what"; expect_contains TEXT PART "what"; fail "message"
fail() { echo "FAILED: $*"; exit 1; }
expect_eq() { [ "$1" = "$2" ] || fail "$3: expected '$2', got '$1'"; echo "  ok: $3"; }
expect_contains() { grep -qF -- "$2" <<<"$1" || fail "$3: expected '$2' in: $1"; echo "  ok: $3"; }
