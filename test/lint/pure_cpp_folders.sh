#!/usr/bin/env bash
# Fails when a pure C++ folder (src/common, src/crypto, src/remote, src/sync/engine: shared with
# the CLI and the unit tests) would build with postgres.h included: its headers must include
# common/pure_cpp.hpp, and both builds must compile its sources with BERQENAS_PURE_CPP.
#
#   bash test/lint/pure_cpp_folders.sh      (after a build: it reads the CMake build's compile commands)
set -uo pipefail
cd "$(dirname "$0")/../.."
BUILD_DIR=${BERQENAS_BUILD_DIR:-$PWD/build}
FOLDERS=(src/common src/crypto src/remote src/sync/engine)
status=0
problem() { echo "$1"; status=1; }

sources=()
headers=()
for d in "${FOLDERS[@]}"; do
    mapfile -t -O "${#sources[@]}" sources < <(find "$d" -name '*.cpp' | sort)
    mapfile -t -O "${#headers[@]}" headers < <(find "$d" -name '*.hpp' | sort)
    [ -n "$(find "$d" -name '*.cpp')" ] || problem "$d: no sources found"
done
# Not vacuous: the folders hold dozens of files.
[ "${#sources[@]}" -ge 20 ] && [ "${#headers[@]}" -ge 20 ] \
    || problem "found only ${#sources[@]} sources and ${#headers[@]} headers in ${FOLDERS[*]}"

# 1. Every header includes common/pure_cpp.hpp, itself or through a header of these folders
#    included before anything else it includes.
includes_pure() {   # $1 = header, $2 = depth
    local h=$1 first
    grep -q '#include "common/pure_cpp.hpp"' "$h" && return 0
    [ "$2" -gt 4 ] && return 1
    first=$(grep -m1 -oE '#include "[^"]+"' "$h" | sed -E 's/#include "(.*)"/\1/')
    [ -n "$first" ] && [ -f "src/$first" ] || return 1
    case "src/$first" in src/common/* | src/crypto/* | src/remote/* | src/sync/engine/*) ;; *) return 1 ;; esac
    includes_pure "src/$first" $(($2 + 1))
}
for h in "${headers[@]}"; do
    [ "$h" = src/common/pure_cpp.hpp ] && continue
    includes_pure "$h" 0 || problem "$h does not include common/pure_cpp.hpp"
done

# 2. The PGXS build compiles every source of these folders with -DBERQENAS_PURE_CPP.
objects=("${sources[@]/%.cpp/.o}")
commands=$(make -n -B "${objects[@]}" 2>/dev/null | grep -E ' -c -o src/')
for s in "${sources[@]}"; do
    line=$(grep -F -- "-o ${s%.cpp}.o $s" <<<"$commands")
    [ -n "$line" ] || { problem "make: no compile command for $s"; continue; }
    grep -q -- '-DBERQENAS_PURE_CPP' <<<"$line" || problem "make: $s is compiled without -DBERQENAS_PURE_CPP"
done

# 3. The CMake build does too (the unit tests and the CLI link these objects).
db=$BUILD_DIR/compile_commands.json
if [ ! -f "$db" ]; then
    problem "$db is missing: build with cmake first"
else
    while read -r line; do problem "cmake: $line"; done < <(python3 - "$db" "$PWD" "${sources[@]}" <<'PY'
import json, sys
db, root, sources = sys.argv[1], sys.argv[2], sys.argv[3:]
commands = {e["file"]: e.get("command", " ".join(e.get("arguments", []))) for e in json.load(open(db))}
for s in sources:
    command = commands.get(root + "/" + s)
    if command is None:
        print("no compile command for " + s)
    elif "-DBERQENAS_PURE_CPP" not in command.split():
        print(s + " is compiled without -DBERQENAS_PURE_CPP")
PY
)
fi

# 4. And it works: with the flag, postgres.h before or after one of each folder's headers fails.
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
server=$(pg_config --includedir-server)
for d in "${FOLDERS[@]}"; do
    h=$(find "$d" -name '*.hpp' ! -name pure_cpp.hpp | sort | head -1)
    for order in before after; do
        if [ $order = before ]; then
            printf '#include "postgres.h"\n#include "%s"\n' "${h#src/}" >"$probe/t.cpp"
        else
            printf '#include "%s"\n#include "postgres.h"\n' "${h#src/}" >"$probe/t.cpp"
        fi
        if g++ -std=c++17 -DBERQENAS_PURE_CPP -Isrc -I"$(pg_config --includedir)" -I"$server" -fsyntax-only \
            "$probe/t.cpp" 2>/dev/null; then
            problem "$h: postgres.h included $order it compiles under BERQENAS_PURE_CPP"
        fi
    done
done

[ "$status" -eq 0 ] && echo "pure C++ folders: ${#headers[@]} headers, ${#sources[@]} sources (${FOLDERS[*]}) reject postgres.h"
exit "$status"
