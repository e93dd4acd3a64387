// The SQL a two-way run writes for one table, shared by the run and its rollback: the table's
// shape (columns, key, bookkeeping columns, its temporary tables), loading remote rows into a
// temporary table, and writing cloud rows to the remote in guarded batches.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "pg/spi.hpp"
#include "remote/remote_connection.hpp"
#include "sync/bidirectional/two_way_table.hpp"
#include "sync/engine/remote_queries.hpp"

namespace berqenas::sync::two_way {

// Names and values in the cloud's own SQL (PostgreSQL's quoting, whatever the remote's kind).
std::string lid(const std::string& name);
std::string llit(const std::string& value);
std::string to_s(long long v);
std::optional<long long> opt_ll(const pg::SqlValue& v);

// Everything one table's run needs to write its SQL.
struct Shape {
    std::string cloud;                              // the cloud copy, qualified and quoted
    std::vector<std::string> columns;               // remote column names (the cloud copy has the same)
    std::map<std::string, std::string> local_type;  // cloud copy column → format_type
    std::vector<std::string> key;                   // primary key columns
    std::vector<std::string> content;               // columns the content hash covers
    std::string updated_at, created_at, is_deleted; // their names on this table ("" created_at: none)
    std::string local_rows, gone, cand, plan;       // temporary tables of this run

    // jsonb_build_object('k', a."k", ...): a key as berqenas.sync_row_state holds it.
    std::string key_json(const std::string& a) const;
    // a."k" = (j ->> 'k')::type AND ...: a row matched to a key held as jsonb (index-friendly).
    std::string key_match(const std::string& a, const std::string& json) const;
    // The content hash of a row: every column but the bookkeeping ones (each side keeps its own
    // updated_at; created_at travels with inserts), as one 64-bit hash of the row's text.
    std::string content_hash(const std::string& a) const;
    std::string first_key(const std::string& a) const;
};

// The remote's columns, and the bookkeeping columns found as the remote compares names. 55000
// when the table is not prepared or its cloud copy lacks a remote column.
Shape describe(pg::SpiSession& spi, remote::RemoteConnection& conn, const remote::RemoteTable& rt, const TwoWayTable& t);

// Creates the temporary table `into` (columns of the cloud copy) and streams select into it.
long long load(pg::SpiSession& spi, remote::RemoteConnection& conn, const Shape& s, const std::string& into,
               const std::vector<std::string>& columns, const RemoteSelect& select);
// Streams the remote rows of the keys keys_from gives ("FROM <p> WHERE ...", p.n and p.k) into the
// existing temporary table into, a batch of keys per SELECT.
void fetch_rows(pg::SpiSession& spi, remote::RemoteConnection& conn, const remote::RemoteTable& rt, const Shape& s,
                const std::string& into, const std::string& keys_from);

// Writes rows of the cloud to the remote: rows_from "FROM <p> JOIN <c> ... WHERE ..." gives the rows
// (p.n, p.k, c.<columns>), keys_from "FROM <p> WHERE ..." the keys to delete. Every column but
// updated_at (the remote's default and trigger set it); each write guarded by updated_at <=
// remote_now (40001 when a row changed meanwhile); a refused row is named by its key.
void write_remote(remote::RemoteConnection& conn, const remote::RemoteTable& rt, const Shape& s,
                  const std::string& remote_now, const std::string& rows_from, const std::string& keys_from);

}  // namespace berqenas::sync::two_way
