// Capturing a C++ exception into plain data, and raising it as a PostgreSQL error or a warning.
#include "pg/callback_guard.hpp"

#include <cstdio>
#include <cstring>
#include <new>

namespace berqenas::pg {

namespace {
void copy_text(char* dest, size_t size, const char* src) { snprintf(dest, size, "%s", src ? src : ""); }

void set(CapturedError& out, const char* code, const char* message, const char* detail, const char* hint) {
    bool valid = code && std::strlen(code) == 5;
    copy_text(out.sqlstate, sizeof out.sqlstate, valid ? code : sqlstate::internal_error);
    copy_text(out.message, sizeof out.message, message);
    copy_text(out.detail, sizeof out.detail, detail);
    copy_text(out.hint, sizeof out.hint, hint);
}
}  // namespace

void capture_current_exception(CapturedError& out) noexcept {
    try {
        throw;
    } catch (const Error& e) {
        set(out, e.sqlstate().c_str(), e.what(), e.detail().c_str(), e.hint().c_str());
    } catch (const std::bad_alloc&) {
        set(out, sqlstate::out_of_memory, "out of memory in berqenas", nullptr, nullptr);
    } catch (const std::exception& e) {
        set(out, sqlstate::internal_error, e.what(), nullptr,
            "this is a bug in berqenas; please report it with the statement that caused it");
    } catch (...) {
        set(out, sqlstate::internal_error, "unknown C++ exception in berqenas", nullptr, nullptr);
    }
}

void raise_captured(const CapturedError& error) {
    const char* s = error.sqlstate;
    ereport(ERROR, (errcode(MAKE_SQLSTATE(s[0], s[1], s[2], s[3], s[4])), errmsg_internal("%s", error.message),
                    error.detail[0] ? errdetail_internal("%s", error.detail) : 0,
                    error.hint[0] ? errhint("%s", error.hint) : 0));
    pg_unreachable();
}

void warn_captured(const char* what, const CapturedError& error) noexcept {
    struct Warning {
        const char* what;
        const CapturedError* error;
    } warning{what, &error};
    try {
        // Inside the guard: an ereport(ERROR) while writing the warning (out of memory) stays here.
        run_pg([](void* p) {
            auto* w = static_cast<Warning*>(p);
            ereport(WARNING, (errmsg_internal("berqenas: %s: %s", w->what, w->error->message),
                              w->error->detail[0] ? errdetail_internal("%s", w->error->detail) : 0,
                              w->error->hint[0] ? errhint("%s", w->error->hint) : 0));
        }, &warning);
    } catch (...) {
        // Not even a warning could be written; the callback must still return normally.
    }
}

}  // namespace berqenas::pg
