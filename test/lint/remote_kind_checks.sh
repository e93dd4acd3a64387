#!/usr/bin/env bash
# Fails when code outside a remote kind's own folder picks behaviour by naming a remote kind
# (DatabaseKind::postgresql / DatabaseKind::mssql, is_mssql): that belongs behind remote::Dialect.
#
#   bash test/lint/remote_kind_checks.sh
#
# Allowed: src/remote/postgresql/ and src/remote/mssql/ (the kinds themselves), src/remote/connect.cpp
# (the one place that picks a driver, a dialect and a name per kind), src/cli/ (checks its
# arguments), and the definition of default_database_kind in src/remote/connection_params.hpp.
set -uo pipefail
cd "$(dirname "$0")/../.."

# Every C++ source under src/, so the check cannot pass by finding nothing.
mapfile -t files < <(find src -type f \( -name '*.cpp' -o -name '*.hpp' \) | sort)
fdw_files=$(printf '%s\n' "${files[@]}" | grep -c '^src/fdw/')
remote_files=$(printf '%s\n' "${files[@]}" | grep -c '^src/remote/')
if [ "${#files[@]}" -lt 100 ] || [ "$fdw_files" -lt 10 ] || [ "$remote_files" -lt 10 ]; then
    echo "found only ${#files[@]} sources (src/fdw: $fdw_files, src/remote: $remote_files): run from the repository"
    exit 1
fi

allowed() {
    case "$1" in
        src/remote/postgresql/* | src/remote/mssql/* | src/remote/connect.cpp | src/cli/*) return 0 ;;
    esac
    return 1
}

status=0
checked=0
for f in "${files[@]}"; do
    allowed "$f" && continue
    checked=$((checked + 1))
    # Comments may name a kind; code may not.
    hits=$(sed -E 's://.*$::' "$f" | grep -nE 'DatabaseKind::(postgresql|mssql)\b|\bis_(mssql|postgresql)\b' || true)
    if [ "$f" = src/remote/connection_params.hpp ]; then
        hits=$(grep -vE '^[0-9]+:inline constexpr DatabaseKind default_database_kind = DatabaseKind::postgresql;$' \
            <<<"$hits" || true)
    fi
    if [ -n "$hits" ]; then
        while read -r line; do echo "$f:$line"; done <<<"$hits"
        status=1
    fi
done
if [ "$status" -ne 0 ]; then
    echo "remote kinds compared outside src/remote/<kind>/ (put the behaviour behind remote::Dialect)"
else
    echo "no remote kind compared outside src/remote/<kind>/, connect.cpp and src/cli ($checked files checked)"
fi
exit "$status"
