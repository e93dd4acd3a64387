// Password input: termios echo off while typing (restored on return and on Ctrl-C), or stdin.
#include "password_input.hpp"

#include "exit_codes.hpp"

#include <fmt/core.h>
#include <termios.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <iostream>

namespace berqenas::cli {
namespace {

struct termios saved_termios;
volatile std::sig_atomic_t echo_disabled = 0;

void restore_echo_and_die(int signo) {
    if (echo_disabled) tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_termios);
    std::signal(signo, SIG_DFL);
    std::raise(signo);
}

std::string read_line(std::istream& in, bool& got_any) {
    std::string line;
    got_any = static_cast<bool>(std::getline(in, line));
    while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.pop_back();
    return line;
}

}  // namespace

std::string read_password_from_stdin() {
    bool got_any = false;
    std::string password = read_line(std::cin, got_any);
    if (!got_any) {
        throw UsageError("no password on standard input (for no password, give --password '')");
    }
    return password;
}

std::string read_password_interactively(const std::string& prompt) {
    if (!isatty(STDIN_FILENO)) return read_password_from_stdin();
    fmt::print(stderr, "{}", prompt);
    std::fflush(stderr);
    if (tcgetattr(STDIN_FILENO, &saved_termios) != 0) return read_password_from_stdin();
    struct termios quiet = saved_termios;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    auto old_int = std::signal(SIGINT, restore_echo_and_die);
    auto old_term = std::signal(SIGTERM, restore_echo_and_die);
    echo_disabled = 1;
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    bool got_any = false;
    std::string password = read_line(std::cin, got_any);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_termios);
    echo_disabled = 0;
    std::signal(SIGINT, old_int);
    std::signal(SIGTERM, old_term);
    fmt::print(stderr, "\n");
    if (!got_any) throw UsageError("no password typed");
    return password;
}

}  // namespace berqenas::cli
