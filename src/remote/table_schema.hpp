// A remote table's shape as read from the remote catalog (information_schema on both kinds).
// Type names are the remote's own (e.g. "nvarchar", "datetime2", "numeric", "_int4").
#pragma once

#include "common/pure_cpp.hpp"

#include <optional>
#include <string>
#include <vector>

namespace berqenas::remote {

struct RemoteColumn {
    std::string name;
    std::string remote_type;          // as the remote names it (MSSQL: DATA_TYPE; PostgreSQL: format_type)
    int max_length = 0;               // characters or bytes; -1 for (max)
    int precision = 0;
    int scale = 0;
    bool nullable = true;
    bool in_primary_key = false;
    std::string local_type;           // the PostgreSQL type Berqenas maps it to (type_mapping)
    // PostgreSQL remotes: for a domain its base type, for an enum "text" (arrays: "text[]"); what
    // to use when the local database lacks local_type. Empty for everything else.
    std::string fallback_type;
    // PostgreSQL remotes: a type of the remote's own (an enum, a domain, an extension's type): its
    // binary form and OID mean nothing here, so it is read as text and parsed by the local type.
    bool read_as_text = false;
};

struct RemoteTable {
    std::string schema;
    std::string name;
    std::vector<RemoteColumn> columns;
    std::vector<std::string> primary_key;   // column names in key order; empty: no key
};

}  // namespace berqenas::remote
