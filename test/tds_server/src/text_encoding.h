// Conversions between PostgreSQL's UTF-8 and the encodings TDS puts on the wire:
// UTF-16LE for N-types and SQL text, Windows-1252 for the non-Unicode char/varchar/text types.
#pragma once

#include <string>
#include <string_view>

namespace berqenas::tds {

// UTF-8 to UTF-16LE bytes; characters outside the BMP become surrogate pairs.
// Invalid UTF-8 bytes become U+FFFD so a bad value never breaks the stream.
std::string utf8_to_utf16le(std::string_view utf8);
// The same, appended to `out` (no temporary string: result rows are encoded in place).
void append_utf16le(std::string& out, std::string_view utf8);

// UTF-16LE bytes to UTF-8 (an odd trailing byte is ignored, lone surrogates become U+FFFD).
std::string utf16le_to_utf8(std::string_view utf16le);

// UTF-8 to Windows-1252, the code page of collation SQL_Latin1_General_CP1_CI_AS;
// characters it cannot hold become '?', as SQL Server does.
std::string utf8_to_cp1252(std::string_view utf8);
void append_cp1252(std::string& out, std::string_view utf8);

}  // namespace berqenas::tds
