// What planning learns about a berqenas_fdw scan, shared by the base-relation callbacks
// (fdw_scan.cpp) and the upper-relation ones (upper_paths.cpp): rel->fdw_private points at it.
#pragma once

#include "fdw/fdw_options.hpp"
#include "fdw/fdw_routines.hpp"

extern "C" {
#include "nodes/pathnodes.h"
}

namespace berqenas::fdw {

// A foreign base relation.
struct RelInfo {
    TableOptions table;
    List* remote_conds = NIL;   // RestrictInfos sent to the remote
    List* local_conds = NIL;    // RestrictInfos evaluated here (includes rechecks)
    Bitmapset* attrs_used = nullptr;
};

// An upper relation whose work is sent whole: aggregation (GROUP BY, HAVING) and/or the final
// ORDER BY with LIMIT/OFFSET, over the one foreign base relation of the query.
struct UpperInfo {
    RelOptInfo* base = nullptr;
    bool grouped = false;       // aggregates sent: the scan tuple is `outputs`
    List* outputs = NIL;        // grouped: grouping columns and aggregates, in scan-tuple order
                                // (also those only local_having needs)
    List* group_by = NIL;       // grouped: GROUP BY expressions
    List* having = NIL;         // grouped: HAVING conditions sent to the remote
    List* local_having = NIL;   // grouped: HAVING conditions evaluated here on the scan's outputs
    bool final_limit = false;   // LIMIT/OFFSET (and sort_pathkeys as ORDER BY) sent
    List* sort_pathkeys = NIL;
    double rows = 0;            // grouped: estimated groups
    Cost startup_cost = 0;
    Cost total_cost = 0;
};

inline RelInfo* rel_info(RelOptInfo* rel) { return static_cast<OwnedByContext<RelInfo>*>(rel->fdw_private)->object; }
inline UpperInfo* upper_info(RelOptInfo* rel) {
    return rel->fdw_private ? static_cast<OwnedByContext<UpperInfo>*>(rel->fdw_private)->object : nullptr;
}

}  // namespace berqenas::fdw
