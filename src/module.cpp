// The library's entry point. _PG_init calls each part's load-time registration (its GUCs, hooks
// and workers) from here, so that src/pg/ stays the boundary and includes none of the parts.
#include "pg/guard.hpp"
#include "pg/settings.hpp"
#include "remote/interrupts.hpp"
#include "sync/sync_settings.hpp"

extern "C" {
#include "utils/guc.h"

PG_MODULE_MAGIC;

void _PG_init(void);
}

void _PG_init(void) {
    berqenas::pg::on_load();     // the boundary's GUCs; whether we were preloaded
    berqenas::sync::on_load();   // sync GUCs; progress shared memory and realtime launcher when preloaded
    MarkGUCPrefixReserved("berqenas");
    // Engine code (no postgres.h) notices a cancel through these.
    berqenas::remote::install_interrupt_hooks(berqenas::pg::interrupt_is_pending, berqenas::pg::check_for_interrupts);
}
