// How engine code notices a cancel without knowing PostgreSQL: the extension installs two hooks
// at load time. interrupt_pending() is safe inside C callbacks (it never throws);
// check_interrupts() throws berqenas::Error 57014 when a cancel is pending.
#pragma once

#include "common/pure_cpp.hpp"

namespace berqenas::remote {

using InterruptPendingFn = bool (*)();
using CheckInterruptsFn = void (*)();

void install_interrupt_hooks(InterruptPendingFn pending, CheckInterruptsFn check);
bool interrupt_pending();
void check_interrupts();

}  // namespace berqenas::remote
