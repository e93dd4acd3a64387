#!/usr/bin/env bash
# Every SQLSTATE the extension and the CLI can raise is in docs/error-codes.md: the codes are
# gathered from the sources (C++ Error(...) and sqlstate:: names, ereport errcodes, SQL
# ERRCODE = '...', the MSSQL error map) and each must appear in the table as `XXXXX`.
set -euo pipefail
cd "$(dirname "$0")/../.."
errcodes_h=$(pg_config --includedir-server)/utils/errcodes.h
python3 - "$errcodes_h" <<'PY'
import pathlib, re, sys
root = pathlib.Path('.')
errcodes = {}
for m in re.finditer(r"#define (ERRCODE_\w+) MAKE_SQLSTATE\('(.)','(.)','(.)','(.)','(.)'\)", pathlib.Path(sys.argv[1]).read_text()):
    errcodes[m.group(1)] = ''.join(m.groups()[1:])
names = dict(re.findall(r'constexpr const char\* (\w+) = "([0-9A-Z]{5})"', (root / 'src/common/error.hpp').read_text()))
found = {}
def note(code, where):
    found.setdefault(code, where)
for path in sorted(list(root.glob('src/**/*.cpp')) + list(root.glob('src/**/*.hpp'))):
    text = path.read_text()
    for m in re.finditer(r'Error\(\s*"([0-9A-Z]{5})"', text): note(m.group(1), path)
    for m in re.finditer(r'sqlstate::(\w+)', text):
        if m.group(1) in names: note(names[m.group(1)], path)
    for m in re.finditer(r'errcode\((ERRCODE_\w+)\)', text): note(errcodes[m.group(1)], path)
    # Tables mapping remote errors to SQLSTATEs ({2627, "23505"}, ...).
    for m in re.finditer(r'\{\s*-?\d+\s*,\s*"([0-9A-Z]{5})"', text): note(m.group(1), path)
for path in sorted(root.glob('sql/install/*.sql')):
    for m in re.finditer(r"ERRCODE\s*=\s*'([0-9A-Z]{5})'", path.read_text()): note(m.group(1), path)
doc = (root / 'docs/error-codes.md').read_text()
missing = sorted(c for c in found if '`' + c + '`' not in doc)
print(f"{len(found)} SQLSTATEs raised by the sources")
for c in missing:
    print(f"FAILED: {c} (raised in {found[c]}) is not in docs/error-codes.md")
if len(found) < 20:
    print("FAILED: fewer SQLSTATEs than expected were found; the patterns no longer match the sources")
    sys.exit(1)
sys.exit(1 if missing else 0)
PY
echo PASSED
