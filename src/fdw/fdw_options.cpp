// Validator and option lookup for berqenas_fdw.
#include "fdw/fdw_options.hpp"

#include <cstdlib>
#include <map>

#include "catalog/remote_database.hpp"
#include "pg/spi.hpp"
#include "pg/values.hpp"
#include "pg/settings.hpp"
#include "remote/dialect.hpp"

extern "C" {
#include "access/reloptions.h"
#include "catalog/pg_foreign_data_wrapper.h"
#include "catalog/pg_foreign_server.h"
#include "catalog/pg_foreign_table.h"
#include "catalog/pg_user_mapping.h"
#include "catalog/pg_attribute.h"
#include "commands/defrem.h"
#include "foreign/foreign.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "access/table.h"
#include "commands/extension.h"
#include "utils/builtins.h"
#include "miscadmin.h"
}

namespace berqenas::fdw {

namespace {

struct OptionRule {
    const char* name;
    Oid context;
    enum { text, positive_int, port, non_negative_int, boolean, kind, packet_size, nvarchar_transfer } type;
};

const OptionRule rules[] = {
    {"remote_database", ForeignServerRelationId, OptionRule::text},
    {"database_type", ForeignServerRelationId, OptionRule::kind},
    {"host", ForeignServerRelationId, OptionRule::text},
    {"servername", ForeignServerRelationId, OptionRule::text},   // tds_fdw's name for host
    {"port", ForeignServerRelationId, OptionRule::port},
    {"dbname", ForeignServerRelationId, OptionRule::text},
    {"database", ForeignServerRelationId, OptionRule::text},     // tds_fdw's name for dbname
    {"fetch_size", ForeignServerRelationId, OptionRule::positive_int},
    {"batch_size", ForeignServerRelationId, OptionRule::positive_int},
    {"connect_timeout", ForeignServerRelationId, OptionRule::positive_int},
    {"query_timeout", ForeignServerRelationId, OptionRule::non_negative_int},
    {"packet_size", ForeignServerRelationId, OptionRule::packet_size},
    {"nvarchar_transfer", ForeignServerRelationId, OptionRule::nvarchar_transfer},
    {"username", UserMappingRelationId, OptionRule::text},
    {"password", UserMappingRelationId, OptionRule::text},
    {"schema_name", ForeignTableRelationId, OptionRule::text},
    {"table_name", ForeignTableRelationId, OptionRule::text},
    {"query", ForeignTableRelationId, OptionRule::text},
    {"fetch_size", ForeignTableRelationId, OptionRule::positive_int},
    {"batch_size", ForeignTableRelationId, OptionRule::positive_int},
    {"column_name", AttributeRelationId, OptionRule::text},
    {"key", AttributeRelationId, OptionRule::boolean},
};

[[noreturn]] void invalid_value(const std::string& option, const std::string& why) {
    throw Error(sqlstate::fdw_invalid_attribute_value, "invalid value for option \"" + option + "\": " + why);
}

bool parse_bool(const std::string& option, const std::string& v) {
    bool result = false;
    if (!parse_bool_with_len(v.c_str(), v.size(), &result)) invalid_value(option, "\"" + v + "\" is not a boolean");
    return result;
}

long parse_int(const std::string& option, const std::string& v) {
    char* end = nullptr;
    errno = 0;
    long n = std::strtol(v.c_str(), &end, 10);
    if (v.empty() || *end != '\0' || errno != 0 || n > INT32_MAX || n < INT32_MIN)
        invalid_value(option, "\"" + v + "\" is not an integer");
    return n;
}

// name → value of a catalog options list (List of DefElem).
std::map<std::string, std::string> to_map(List* options) {
    std::map<std::string, std::string> out;
    ListCell* cell;
    foreach (cell, options) {
        DefElem* d = lfirst_node(DefElem, cell);
        char* value = pg::pg_call([&] { return defGetString(d); });
        out[d->defname] = value;
    }
    return out;
}

// Runs fn as the extension's owner (the registry's secrets are owner-only).
template <typename F>
auto as_extension_owner(F&& fn) -> decltype(fn()) {
    Oid saved_user;
    int saved_context;
    GetUserIdAndSecContext(&saved_user, &saved_context);
    Oid owner;
    {
        pg::SpiSession spi;
        pg::SqlValue v = spi.scalar("SELECT extowner::text FROM pg_catalog.pg_extension WHERE extname = 'berqenas'");
        owner = v ? Oid(std::strtoul(v->c_str(), nullptr, 10)) : saved_user;
    }
    SetUserIdAndSecContext(owner, saved_context | SECURITY_LOCAL_USERID_CHANGE);
    try {
        auto result = fn();
        SetUserIdAndSecContext(saved_user, saved_context);
        return result;
    } catch (...) {
        SetUserIdAndSecContext(saved_user, saved_context);
        throw;
    }
}

std::map<Oid, remote::DatabaseKind>& kind_cache() {
    static std::map<Oid, remote::DatabaseKind> cache;
    return cache;
}

std::map<std::string, std::string> server_options(Oid server_oid, std::string* name = nullptr) {
    ForeignServer* server = pg::pg_call([&] { return GetForeignServer(server_oid); });
    if (name) *name = server->servername;
    return to_map(server->options);
}

}  // namespace

remote::DatabaseKind server_kind(Oid server_oid) {
    auto& cache = kind_cache();
    auto it = cache.find(server_oid);
    if (it != cache.end()) return it->second;
    auto options = server_options(server_oid);
    remote::DatabaseKind kind = remote::default_database_kind;
    if (options.count("remote_database")) {
        std::string name = options["remote_database"];
        pg::SqlValue t = as_extension_owner([&] {
            pg::SpiSession spi;
            return spi.scalar("SELECT database_type FROM berqenas.remote_database_registry WHERE name = $1", {name});
        });
        if (!t)
            throw Error(sqlstate::undefined_object, "remote database \"" + name + "\" is not registered", {},
                        "see berqenas.remote_databases");
        kind = remote::parse_database_kind(*t);
    } else if (options.count("database_type")) {
        kind = remote::parse_database_kind(options["database_type"]);
    }
    cache[server_oid] = kind;
    return kind;
}

int server_int_option(Oid server_oid, const char* name, int fallback) {
    auto options = server_options(server_oid);
    auto it = options.find(name);
    return it == options.end() ? fallback : int(parse_int(name, it->second));
}

remote::ConnectionParams connection_params(Oid server_oid, Oid user_oid, std::string* registry_schema) {
    std::string server_name;
    auto options = server_options(server_oid, &server_name);
    remote::ConnectionParams params;
    params.connect_timeout_seconds = pg::Settings::connect_timeout_seconds;
    params.query_timeout_seconds = pg::Settings::remote_query_timeout_seconds;
    if (options.count("remote_database")) {
        std::string name = options["remote_database"];
        catalog::RemoteDatabase db = as_extension_owner([&] {
            pg::SpiSession spi;
            return catalog::load_remote_database(spi, name);
        });
        params = db.connection;
        if (registry_schema) *registry_schema = db.schema;
    } else {
        auto get = [&](const char* a, const char* b) -> std::string {
            if (options.count(a)) return options[a];
            if (b && options.count(b)) return options[b];
            return {};
        };
        params.kind = options.count("database_type") ? remote::parse_database_kind(options["database_type"])
                                                     : remote::default_database_kind;
        params.host = get("host", "servername");
        if (params.host.empty()) params.host = "127.0.0.1";
        std::string port = get("port", nullptr);
        params.port = port.empty() ? remote::dialect(params.kind).default_port() : int(parse_int("port", port));
        params.database = get("dbname", "database");
        UserMapping* mapping = pg::pg_call([&] { return GetUserMapping(user_oid, server_oid); });
        auto user = to_map(mapping->options);
        params.user = user["username"];
        params.password = user["password"];
        if (params.user.empty())
            throw Error(sqlstate::fdw_invalid_option_name, "user mapping for server \"" + server_name + "\" has no username option", {},
                        "ALTER USER MAPPING ... OPTIONS (ADD username '...', ADD password '...'), or use "
                        "remote_database to take credentials from the registry");
    }
    if (options.count("connect_timeout")) params.connect_timeout_seconds = int(parse_int("connect_timeout", options["connect_timeout"]));
    if (options.count("query_timeout")) params.query_timeout_seconds = int(parse_int("query_timeout", options["query_timeout"]));
    if (options.count("packet_size")) params.packet_size = int(parse_int("packet_size", options["packet_size"]));
    params.application_name = "berqenas_fdw";
    // The user the scan runs as (a view's owner, say) must be a superuser to connect without a password.
    if (!pg::pg_call([&] { return superuser_arg(user_oid); })) params.require_password = true;
    return params;
}

TableOptions table_options(Oid relid) {
    TableOptions out;
    ForeignTable* table = pg::pg_call([&] { return GetForeignTable(relid); });
    out.server_oid = table->serverid;
    out.user_oid = GetUserId();
    out.kind = server_kind(out.server_oid);
    auto server = server_options(out.server_oid, &out.server_name);
    if (server.count("fetch_size")) out.fetch_size = int(parse_int("fetch_size", server["fetch_size"]));
    if (server.count("batch_size")) out.batch_size = int(parse_int("batch_size", server["batch_size"]));
    if (server.count("nvarchar_transfer")) out.nvarchar_utf16 = server["nvarchar_transfer"] != "text";
    auto options = to_map(table->options);
    if (options.count("fetch_size")) out.fetch_size = int(parse_int("fetch_size", options["fetch_size"]));
    if (options.count("batch_size")) out.batch_size = int(parse_int("batch_size", options["batch_size"]));
    out.schema_name = options.count("schema_name") ? options["schema_name"] : "";
    out.query = options.count("query") ? options["query"] : "";
    char* relname = pg::pg_call([&] { return get_rel_name(relid); });
    out.table_name = options.count("table_name") ? options["table_name"] : std::string(relname ? relname : "");

    Relation rel = pg::pg_call([&] { return table_open(relid, NoLock); });
    TupleDesc desc = RelationGetDescr(rel);
    int natts = desc->natts;
    out.columns.resize(size_t(natts));
    for (int i = 0; i < natts; ++i) {
        Form_pg_attribute att = TupleDescAttr(desc, i);
        ColumnOptions& c = out.columns[size_t(i)];
        c.attnum = i + 1;
        c.dropped = att->attisdropped;
        c.local_name = NameStr(att->attname);
        c.remote_name = c.local_name;
        c.type_oid = att->atttypid;
        c.typmod = att->atttypmod;
        if (c.dropped) continue;
        List* col_options = pg::pg_call([&] { return GetForeignColumnOptions(relid, AttrNumber(i + 1)); });
        auto copts = to_map(col_options);
        if (copts.count("column_name")) c.remote_name = copts["column_name"];
        if (copts.count("key")) c.key = parse_bool("key", copts["key"]);
    }
    pg::pg_call([&] { table_close(rel, NoLock); });
    return out;
}

namespace {

Datum validator_body(FunctionCallInfo fcinfo) {
    Datum options_datum = PG_GETARG_DATUM(0);
    Oid context = PG_GETARG_OID(1);
    List* options = pg::pg_call([&] { return untransformRelOptions(options_datum); });
    std::map<std::string, std::string> seen = to_map(options);
    for (auto& [name, value] : seen) {
        const OptionRule* rule = nullptr;
        std::string valid_here;
        for (const auto& r : rules) {
            if (r.context != context) continue;
            if (!valid_here.empty()) valid_here += ", ";
            valid_here += r.name;
            if (name == r.name) rule = &r;
        }
        if (rule == nullptr)
            throw Error(sqlstate::fdw_invalid_option_name, "invalid option \"" + name + "\"", {},
                        valid_here.empty() ? "berqenas_fdw takes no options here"
                                           : "valid options in this context are: " + valid_here);
        switch (rule->type) {
            case OptionRule::positive_int:
                if (parse_int(name, value) <= 0) invalid_value(name, "must be a positive integer");
                break;
            case OptionRule::non_negative_int:
                if (parse_int(name, value) < 0) invalid_value(name, "must be zero or a positive integer");
                break;
            case OptionRule::port: {
                long p = parse_int(name, value);
                if (p < 1 || p > 65535) invalid_value(name, "must be between 1 and 65535");
                break;
            }
            case OptionRule::packet_size: {
                long p = parse_int(name, value);
                // SQL Server takes 512..32767, but db-lib (FreeTDS) never asks for less than 4096.
                if (p < 4096 || p > 32767) invalid_value(name, "must be between 4096 and 32767 (bytes per TDS packet)");
                break;
            }
            case OptionRule::boolean:
                parse_bool(name, value);
                break;
            case OptionRule::nvarchar_transfer:
                if (value != "utf16" && value != "text")
                    invalid_value(name, "must be \"utf16\" (read nvarchar as UTF-16 bytes, converted here) or "
                                        "\"text\" (converted by the client library)");
                break;
            case OptionRule::kind:
                if (value != "mssql" && value != "postgresql") invalid_value(name, "must be \"mssql\" or \"postgresql\"");
                break;
            case OptionRule::text:
                if (value.empty() && name != "password") invalid_value(name, "must not be empty");
                break;
        }
    }
    if (context == ForeignServerRelationId && seen.count("remote_database")) {
        for (const char* direct : {"database_type", "host", "servername", "port", "dbname", "database"})
            if (seen.count(direct))
                throw Error(sqlstate::fdw_invalid_option_name, std::string("option \"") + direct + "\" cannot be combined with \"remote_database\"",
                            {}, "a server names a registered database, or gives its address directly, not both");
        std::string name = seen["remote_database"];
        // The creating role must be one that may operate the registration (a tenant role: its own
        // tenant's), or a server would lend it another tenant's credentials.
        pg::SqlValue allowed = as_extension_owner([&] {
            pg::SpiSession spi;
            return spi.scalar("SELECT berqenas._may_access_database(id)::text FROM berqenas.remote_database_registry "
                              "WHERE name = $1", {name});
        });
        if (!allowed)
            throw Error(sqlstate::undefined_object, "remote database \"" + name + "\" is not registered", {},
                        "see berqenas.remote_databases");
        if (*allowed != "true")
            throw Error(sqlstate::insufficient_privilege, "permission denied for remote database \"" + name + "\"",
                        "a tenant role may name only its own tenant's databases");
    }
    if (context == ForeignTableRelationId && seen.count("query") && (seen.count("table_name") || seen.count("schema_name")))
        throw Error(sqlstate::fdw_invalid_option_name, "option \"query\" cannot be combined with \"table_name\" or \"schema_name\"");
    if (context == ForeignServerRelationId) kind_cache().clear();
    PG_RETURN_VOID();
}

}  // namespace

}  // namespace berqenas::fdw

BERQENAS_SQL_FUNCTION(berqenas_fdw_validator, berqenas::fdw::validator_body)
