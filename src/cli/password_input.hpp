// Reads a remote database's password without it appearing anywhere: one line from standard input,
// or typed at the terminal with echo off.
#pragma once

#include <string>

namespace berqenas::cli {

// One line from standard input (trailing CR/LF removed); UsageError when stdin is empty.
std::string read_password_from_stdin();

// Prompts on the terminal without echo when stdin is a terminal, else reads stdin like above.
std::string read_password_interactively(const std::string& prompt);

}  // namespace berqenas::cli
