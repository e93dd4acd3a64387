// Interrupt hooks; without the extension (unit tests, CLI) nothing is ever pending.
#include "remote/interrupts.hpp"

namespace berqenas::remote {

namespace {
InterruptPendingFn pending_hook = nullptr;
CheckInterruptsFn check_hook = nullptr;
}  // namespace

void install_interrupt_hooks(InterruptPendingFn pending, CheckInterruptsFn check) {
    pending_hook = pending;
    check_hook = check;
}

bool interrupt_pending() { return pending_hook != nullptr && pending_hook(); }

void check_interrupts() {
    if (check_hook != nullptr) check_hook();
}

}  // namespace berqenas::remote
