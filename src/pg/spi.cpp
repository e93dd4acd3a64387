// SpiSession: SPI_connect/SPI_finish as RAII and text-typed queries (see spi.hpp).
#include "pg/spi.hpp"

#include <algorithm>
#include <map>
#include <utility>
#include <vector>

extern "C" {
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
}

namespace berqenas::pg {

std::string text_array_literal(const std::vector<std::string>& elements) {
    std::string out = "{";
    for (size_t i = 0; i < elements.size(); ++i) {
        out += i ? ",\"" : "\"";
        for (char ch : elements[i]) {
            if (ch == '"' || ch == '\\') out += '\\';
            out += ch;
        }
        out += '"';
    }
    return out + "}";
}

std::vector<std::string> parse_text_array(const std::string& literal) {
    std::vector<std::string> out;
    if (literal.size() < 2 || literal.front() != '{' || literal.back() != '}')
        throw Error(sqlstate::internal_error, "not a one-dimensional array: " + literal);
    size_t i = 1;
    const size_t end = literal.size() - 1;
    while (i < end) {
        std::string element;
        if (literal[i] == '"') {
            for (++i; i < end && literal[i] != '"'; ++i) {
                if (literal[i] == '\\' && i + 1 < end) ++i;
                element += literal[i];
            }
            ++i;   // the closing quote
        } else {
            const size_t comma = std::min(literal.find(',', i), end);
            element = literal.substr(i, comma - i);
            if (element == "NULL") throw Error(sqlstate::internal_error, "unexpected NULL element in " + literal);
            i = comma;
        }
        out.push_back(std::move(element));
        if (i < end && literal[i] == ',') ++i;
    }
    return out;
}

TypedParam int8_param(long long value) { return {INT8OID, Int64GetDatum(value), false}; }
TypedParam int4_param(int value) { return {INT4OID, Int32GetDatum(value), false}; }
TypedParam bool_param(bool value) { return {BOOLOID, BoolGetDatum(value), false}; }
TypedParam float8_param(double value) { return {FLOAT8OID, Float8GetDatum(value), false}; }
TypedParam null_param(Oid type) { return {type, 0, true}; }

TypedParam text_param(const std::string& value) {
    Datum d = pg_call([&] { return PointerGetDatum(cstring_to_text_with_len(value.data(), int(value.size()))); });
    return {TEXTOID, d, false};
}

TypedParam jsonb_param(const std::string& json) {
    const char* text = json.c_str();
    Datum d = pg_call([&] { return DirectFunctionCall1(jsonb_in, CStringGetDatum(text)); });
    return {JSONBOID, d, false};
}

namespace {

struct TextParams {
    std::vector<Oid> types;
    std::vector<Datum> values;
    std::vector<char> nulls;
};

// Plain arrays owned here; SPI copies what it needs. Text parameters are typed "unknown"-like by
// casting inside the SQL where needed ($1::int).
TextParams text_params(const std::vector<SqlValue>& params) {
    TextParams p;
    p.types.assign(params.size(), TEXTOID);
    p.values.resize(params.size());
    p.nulls.assign(params.size(), ' ');
    for (size_t i = 0; i < params.size(); ++i) {
        if (!params[i]) {
            p.nulls[i] = 'n';
            continue;
        }
        const std::string& v = *params[i];
        p.values[i] = pg_call([&] { return PointerGetDatum(cstring_to_text_with_len(v.data(), int(v.size()))); });
    }
    return p;
}

SpiResult collect_result(int rc, const std::string& sql) {
    if (rc < 0) throw Error(sqlstate::internal_error, "SPI failed (" + std::to_string(rc) + ") on: " + sql);
    SpiResult result;
    result.processed = SPI_processed;
    if (SPI_tuptable == nullptr) return result;
    TupleDesc desc = SPI_tuptable->tupdesc;
    for (int c = 0; c < desc->natts; ++c) result.columns.emplace_back(NameStr(TupleDescAttr(desc, c)->attname));
    result.rows.reserve(SPI_processed);
    for (uint64 r = 0; r < SPI_processed; ++r) {
        HeapTuple tuple = SPI_tuptable->vals[r];
        SqlRow row;
        row.reserve(desc->natts);
        for (int c = 1; c <= desc->natts; ++c) {
            char* text = pg_call([&] { return SPI_getvalue(tuple, desc, c); });
            if (text == nullptr) {
                row.emplace_back(std::nullopt);
            } else {
                row.emplace_back(std::string(text));
                pfree(text);
            }
        }
        result.rows.push_back(std::move(row));
    }
    pg_call([] { SPI_freetuptable(SPI_tuptable); });
    return result;
}

}  // namespace

SpiSession::SpiSession() {
    int rc = pg_call([] { return SPI_connect(); });
    if (rc != SPI_OK_CONNECT) throw Error(sqlstate::internal_error, "SPI_connect failed");
    connected_ = true;
}

SpiSession::~SpiSession() {
    if (!connected_) return;
    try {
        pg_call([] { return SPI_finish(); });
    } catch (...) {
        // The transaction is being aborted anyway; AtEOXact_SPI cleans up what is left.
    }
}

SpiResult SpiSession::execute(const std::string& sql, const std::vector<SqlValue>& params, bool read_only) {
    TextParams p = text_params(params);
    const int nargs = int(params.size());
    int rc = pg_call([&] {
        return SPI_execute_with_args(sql.c_str(), nargs, p.types.data(), p.values.data(), p.nulls.data(), read_only, 0);
    });
    return collect_result(rc, sql);
}

SPIPlanPtr kept_plan(const std::string& sql, const std::vector<Oid>& types, bool generic) {
    // In CacheMemoryContext until the process ends.
    // Keyed by the text and the parameter types: the same text over a column whose type changed
    // (ALTER TABLE ... TYPE) must not reuse a plan made for the old type.
    static std::map<std::pair<std::string, std::vector<Oid>>, SPIPlanPtr> plans;
    auto key = std::make_pair(sql, types);
    auto it = plans.find(key);
    if (it != plans.end()) return it->second;
    SPIPlanPtr plan = pg_call([&] {
        MemoryContext caller = CurrentMemoryContext;
        SPIPlanPtr prepared = SPI_prepare_cursor(sql.c_str(), int(types.size()), const_cast<Oid*>(types.data()),
                                                 generic ? CURSOR_OPT_GENERIC_PLAN : 0);
        if (prepared != nullptr && SPI_keepplan(prepared) != 0) prepared = nullptr;
        MemoryContextSwitchTo(caller);
        return prepared;
    });
    if (plan == nullptr) throw Error(sqlstate::internal_error, "SPI could not prepare: " + sql);
    return plans.emplace(std::move(key), plan).first->second;
}

SpiResult SpiSession::execute_cached(const std::string& sql, const std::vector<SqlValue>& params) {
    TextParams p = text_params(params);
    SPIPlanPtr plan = kept_plan(sql, p.types);
    int rc = pg_call([&] { return SPI_execute_plan(plan, p.values.data(), p.nulls.data(), false, 0); });
    return collect_result(rc, sql);
}

namespace {

struct DatumParams {
    std::vector<Oid> types;
    std::vector<Datum> values;
    std::vector<char> nulls;
};

DatumParams datum_params(const std::vector<TypedParam>& params) {
    DatumParams p;
    for (const auto& param : params) {
        p.types.push_back(param.type);
        p.values.push_back(param.value);
        p.nulls.push_back(param.null ? 'n' : ' ');
    }
    return p;
}

}  // namespace

SpiResult SpiSession::execute_cached(const std::string& sql, const std::vector<TypedParam>& params) {
    DatumParams p = datum_params(params);
    SPIPlanPtr plan = kept_plan(sql, p.types);
    int rc = pg_call([&] { return SPI_execute_plan(plan, p.values.data(), p.nulls.data(), false, 0); });
    return collect_result(rc, sql);
}

SpiResult SpiSession::execute(const std::string& sql, const std::vector<TypedParam>& params) {
    DatumParams p = datum_params(params);
    const int nargs = int(params.size());
    int rc = pg_call([&] {
        return SPI_execute_with_args(sql.c_str(), nargs, p.types.data(), p.values.data(), p.nulls.data(), false, 0);
    });
    return collect_result(rc, sql);
}

SqlValue SpiSession::scalar(const std::string& sql, const std::vector<SqlValue>& params) {
    SpiResult r = execute(sql, params);
    if (r.rows.empty() || r.rows[0].empty()) return std::nullopt;
    return r.rows[0][0];
}

}  // namespace berqenas::pg
