// Decoding db-lib rows into RemoteValues without a text round trip where the type has a native
// form: numbers, decimals (unscaled + scale) and dates by arithmetic (remote/mssql/mssql_values).
#include "remote/mssql/mssql_row_stream.hpp"

#include <algorithm>
#include <cstddef>
#include <cstring>

#include "common/error.hpp"
#include "remote/mssql/mssql_values.hpp"

namespace berqenas::remote {

namespace {

// Types db-lib may report that sybdb.h does not name.
constexpr int kUniqueIdentifier = 36;   // SYBUNIQUE
constexpr int kVariant = 98;            // SYBVARIANT
constexpr int kXml = 241;               // SYBMSXML
constexpr int kUdt = 240;               // SYBMSUDT (geometry, geography, hierarchyid)
constexpr int kLongBinary = 225;        // SYBLONGBINARY
constexpr int kLongChar = 175;          // XSYBCHAR / SYBLONGCHAR
constexpr int kXVarchar = 167, kXNVarchar = 231, kXNChar = 239, kXVarbinary = 165, kXBinary = 173;
constexpr int kSint1 = 64;              // SYBSINT1 (not MSSQL, harmless)

// A value of type T read from db-lib's (possibly unaligned) column buffer.
template <typename T>
T load(const BYTE* data) {
    T x;
    std::memcpy(&x, data, sizeof x);
    return x;
}

}  // namespace

std::string mssql_type_name(int type) {
    switch (type) {
        case SYBBIT: case SYBBITN: return "bit";
        case SYBINT1: return "tinyint";
        case SYBINT2: return "smallint";
        case SYBINT4: return "int";
        case SYBINT8: return "bigint";
        case SYBINTN: return "int";
        case SYBREAL: return "real";
        case SYBFLT8: case SYBFLTN: return "float";
        case SYBDECIMAL: return "decimal";
        case SYBNUMERIC: return "numeric";
        case SYBMONEY: case SYBMONEYN: return "money";
        case SYBMONEY4: return "smallmoney";
        case SYBDATETIME: case SYBDATETIMN: return "datetime";
        case SYBDATETIME4: return "smalldatetime";
        case SYBMSDATE: return "date";
        case SYBMSTIME: return "time";
        case SYBMSDATETIME2: return "datetime2";
        case SYBMSDATETIMEOFFSET: return "datetimeoffset";
        case SYBCHAR: case SYBVARCHAR: case kXVarchar: case kLongChar: return "varchar";
        case SYBNVARCHAR: case kXNVarchar: case kXNChar: return "nvarchar";
        case SYBTEXT: return "text";
        case SYBNTEXT: return "ntext";
        case SYBBINARY: case SYBVARBINARY: case kXVarbinary: case kXBinary: case kLongBinary: return "varbinary";
        case SYBIMAGE: return "image";
        case kUniqueIdentifier: return "uniqueidentifier";
        case kXml: return "xml";
        case kUdt: return "udt";
        case kVariant: return "sql_variant";
        default: return "type " + std::to_string(type);
    }
}

MssqlRowStream::MssqlRowStream(MssqlConnection& conn, const std::string& sql) : conn_(conn) {
    MssqlActiveScope scope(&conn_);
    conn_.send_batch(sql);
    DBPROCESS* db = conn_.native();
    RETCODE rc;
    while ((rc = dbresults(db)) != NO_MORE_RESULTS) {
        if (rc == FAIL) conn_.throw_failure("a query");
        int ncols = dbnumcols(db);
        if (ncols > 0) {
            for (int c = 1; c <= ncols; ++c) {
                int type = dbcoltype(db, c);
                columns_.push_back({dbcolname(db, c), uint32_t(type), mssql_type_name(type)});
                types_.push_back(type);
            }
            scratch_.resize(size_t(ncols));
            on_wire_ = true;
            conn_.active_stream_ = this;
            return;
        }
        if (DBCOUNT(db) >= 0) affected_ = (affected_ < 0 ? 0 : affected_) + DBCOUNT(db);
    }
    for (const auto& m : conn_.messages_)
        if (m.from_server && m.severity > 10) conn_.throw_failure("a query");
}

MssqlRowStream::~MssqlRowStream() {
    try {
        close();
    } catch (...) {
        // Destructors must not throw; a broken link shows on the connection's next use.
    }
}

// Inlined into read_row, its one caller: a call per value was a tenth of the row's decoding cost.
__attribute__((always_inline)) inline void MssqlRowStream::decode(DBPROCESS* db, int c, int type, RemoteValue& v) {
    BYTE* data = dbdata(db, c + 1);
    v.bytes = {};
    // db-lib has no data pointer exactly for NULL (an empty string or binary has one).
    if (data == nullptr) {
        v.kind = ValueKind::null;
        return;
    }
    std::string& buf = scratch_[size_t(c)];
    // Fixed-size types are read without asking db-lib for the length.
    switch (type) {
        case SYBBIT:
        case SYBBITN:
            v.kind = ValueKind::boolean;
            v.i = *data != 0;
            return;
        case SYBINT1:
            v.kind = ValueKind::int64;
            v.i = *reinterpret_cast<const uint8_t*>(data);
            return;
        case kSint1:
            v.kind = ValueKind::int64;
            v.i = *reinterpret_cast<const int8_t*>(data);
            return;
        case SYBINT2:
            v.kind = ValueKind::int64;
            v.i = load<int16_t>(data);
            return;
        case SYBINT4:
            v.kind = ValueKind::int64;
            v.i = load<int32_t>(data);
            return;
        case SYBINT8:
            v.kind = ValueKind::int64;
            v.i = load<int64_t>(data);
            return;
        case SYBINTN: {
            DBINT len = dbdatlen(db, c + 1);
            v.kind = ValueKind::int64;
            if (len == 1) v.i = *reinterpret_cast<const uint8_t*>(data);
            else if (len == 2) v.i = load<int16_t>(data);
            else if (len == 4) v.i = load<int32_t>(data);
            else v.i = load<int64_t>(data);
            return;
        }
        case SYBREAL:
            v.kind = ValueKind::float64;
            v.f = load<float>(data);
            return;
        case SYBFLT8:
            v.kind = ValueKind::float64;
            v.f = load<double>(data);
            return;
        case SYBFLTN:
            v.kind = ValueKind::float64;
            v.f = dbdatlen(db, c + 1) == 4 ? double(load<float>(data)) : load<double>(data);
            return;
        case SYBMONEY:
        case SYBMONEYN:
        case SYBMONEY4:
            v.kind = ValueKind::decimal;
            v.scale = 4;
            if (type == SYBMONEY4 || (type == SYBMONEYN && dbdatlen(db, c + 1) == 4)) {
                v.i = load<int32_t>(data);
            } else {
                DBMONEY m = load<DBMONEY>(data);
                v.i = mssql::money_units(m.mnyhigh, m.mnylow);
            }
            return;
        case SYBDECIMAL:
        case SYBNUMERIC: {
            // A DBDECIMAL in place: precision, scale, then the sign and magnitude bytes that
            // precision needs (dbdata hands over a whole DBDECIMAL).
            int precision = data[offsetof(DBDECIMAL, precision)];
            int scale = data[offsetof(DBDECIMAL, scale)];
            bool negative;
            uint64_t magnitude;
            if (scale <= precision &&
                mssql::dbnumeric_magnitude(reinterpret_cast<const DBDECIMAL*>(data)->array, precision, &negative,
                                           &magnitude)) {
                if (magnitude <= uint64_t(INT64_MAX)) {
                    v.kind = ValueKind::decimal;
                    v.scale = int16_t(scale);
                    v.i = negative ? -int64_t(magnitude) : int64_t(magnitude);
                    return;
                }
                mssql::scaled_to_text(buf, negative, magnitude, scale);
                v.kind = ValueKind::decimal_text;
                v.bytes = buf;
                return;
            }
            buf.resize(100);
            DBINT n = dbconvert(db, type, data, dbdatlen(db, c + 1), SYBCHAR, reinterpret_cast<BYTE*>(buf.data()),
                                DBINT(buf.size()));
            if (n < 0) throw Error(sqlstate::fdw_error, "cannot read decimal column \"" + columns_[size_t(c)].name + "\"");
            buf.resize(size_t(n));
            while (!buf.empty() && buf.back() == ' ') buf.pop_back();
            v.kind = ValueKind::decimal_text;
            v.bytes = buf;
            return;
        }
        case SYBDATETIME:
        case SYBDATETIMN:
        case SYBDATETIME4:
            v.kind = ValueKind::timestamp;
            if (type == SYBDATETIME4 || (type == SYBDATETIMN && dbdatlen(db, c + 1) == 4)) {
                DBDATETIME4 dt = load<DBDATETIME4>(data);
                v.i = mssql::smalldatetime_to_usec(dt.days, dt.minutes);
            } else {
                DBDATETIME dt = load<DBDATETIME>(data);
                v.i = mssql::datetime_to_usec(dt.dtdays, dt.dttime);
            }
            return;
        case SYBMSDATE:
        case SYBMSTIME:
        case SYBMSDATETIME2:
        case SYBMSDATETIMEOFFSET: {
            // Days since 1900 and 100 ns units since midnight; datetimeoffset's are UTC already.
            DBDATETIMEALL d = load<DBDATETIMEALL>(data);
            int64_t days = mssql::days_since_2000(d.date);
            int64_t time_usec = mssql::time_to_usec(d.time);
            if (type == SYBMSDATE) {
                v.kind = ValueKind::date;
                v.i = days;
            } else if (type == SYBMSTIME) {
                v.kind = ValueKind::time;
                v.i = time_usec;
            } else {
                v.kind = type == SYBMSDATETIME2 ? ValueKind::timestamp : ValueKind::timestamptz;
                v.i = days * mssql::kUsecPerDay + time_usec;
            }
            return;
        }
        default:
            break;
    }
    DBINT len = dbdatlen(db, c + 1);
    switch (type) {
        case kUniqueIdentifier: {
            if (len != 16) break;
            buf.resize(16);
            mssql::uniqueidentifier_to_rfc4122(data, buf.data());
            v.kind = ValueKind::uuid;
            v.bytes = buf;
            return;
        }
        case SYBBINARY:
        case SYBVARBINARY:
        case SYBIMAGE:
        case kXVarbinary:
        case kXBinary:
        case kLongBinary:
        case kUdt:
            v.kind = ValueKind::binary;
            v.bytes = std::string_view(reinterpret_cast<const char*>(data), size_t(len));
            return;
        case SYBCHAR:
        case SYBVARCHAR:
        case SYBTEXT:
        case SYBNTEXT:
        case SYBNVARCHAR:
        case kXVarchar:
        case kXNVarchar:
        case kXNChar:
        case kLongChar:
        case kXml:
            v.kind = ValueKind::text;
            v.bytes = std::string_view(reinterpret_cast<const char*>(data), size_t(len));
            return;
        default:
            break;
    }
    // Anything else: db-lib's own conversion to text.
    buf.resize(size_t(len) * 4 + 64);
    DBINT n = dbconvert(db, type, data, len, SYBCHAR, reinterpret_cast<BYTE*>(buf.data()), DBINT(buf.size()));
    if (n < 0)
        throw Error(sqlstate::fdw_error, "cannot convert column \"" + columns_[size_t(c)].name + "\" of type " +
                                             mssql_type_name(type) + " to text");
    buf.resize(size_t(n));
    v.kind = ValueKind::text;
    v.bytes = buf;
}

bool MssqlRowStream::read_row(std::vector<RemoteValue>& row) {
    MssqlActiveScope scope(&conn_);
    DBPROCESS* db = conn_.native();
    for (;;) {
        STATUS s = dbnextrow(db);
        if (s == REG_ROW) {
            conn_.note_row_read();
            const size_t ncols = types_.size();
            if (row.size() != ncols) row.resize(ncols);
            // Plain pointers: with -fno-strict-aliasing every store would reload the vectors'.
            RemoteValue* out = row.data();
            const int* types = types_.data();
            for (size_t c = 0; c < ncols; ++c) decode(db, int(c), types[c], out[c]);
            return true;
        }
        if (s == NO_MORE_ROWS) {
            finish_batch();
            return false;
        }
        if (s == FAIL) {
            on_wire_ = false;
            if (conn_.active_stream_ == this) conn_.active_stream_ = nullptr;
            conn_.throw_failure("reading rows");
        }
        // Compute rows (COMPUTE BY) are not part of the result: skip them.
    }
}

void MssqlRowStream::finish_batch() {
    DBPROCESS* db = conn_.native();
    on_wire_ = false;
    if (conn_.active_stream_ == this) conn_.active_stream_ = nullptr;
    if (DBCOUNT(db) >= 0) affected_ = (affected_ < 0 ? 0 : affected_) + DBCOUNT(db);
    RETCODE rc;
    while ((rc = dbresults(db)) != NO_MORE_RESULTS) {
        if (rc == FAIL) conn_.throw_failure("a query");
        while (dbnextrow(db) != NO_MORE_ROWS) {
        }
        if (DBCOUNT(db) >= 0) affected_ = (affected_ < 0 ? 0 : affected_) + DBCOUNT(db);
    }
    for (const auto& m : conn_.messages_)
        if (m.from_server && m.severity > 10) conn_.throw_failure("a query");
}

bool MssqlRowStream::next(std::vector<RemoteValue>& row) {
    if (!buffered_.empty()) {
        current_owned_ = std::move(buffered_.front());
        buffered_.pop_front();
        row.resize(current_owned_.size());
        for (size_t c = 0; c < current_owned_.size(); ++c) {
            const OwnedValue& o = current_owned_[c];
            row[c].kind = o.kind;
            row[c].scale = o.scale;
            row[c].i = o.i;
            row[c].f = o.f;
            row[c].bytes = o.bytes;
        }
        return true;
    }
    if (closed_ || !on_wire_) return false;
    return read_row(row);
}

void MssqlRowStream::buffer_rest() {
    std::vector<RemoteValue> row;
    while (on_wire_ && read_row(row)) {
        std::vector<OwnedValue> owned(row.size());
        for (size_t c = 0; c < row.size(); ++c) {
            owned[c].kind = row[c].kind;
            owned[c].scale = row[c].scale;
            owned[c].i = row[c].i;
            owned[c].f = row[c].f;
            owned[c].bytes.assign(row[c].bytes.data(), row[c].bytes.size());
        }
        buffered_.push_back(std::move(owned));
    }
}

void MssqlRowStream::close() {
    if (closed_) return;
    closed_ = true;
    buffered_.clear();
    if (on_wire_) {
        on_wire_ = false;
        if (conn_.active_stream_ == this) conn_.active_stream_ = nullptr;
        MssqlActiveScope scope(&conn_);
        // dbcancel tells the server to stop and reads up to its acknowledgement: the link stays usable.
        if (conn_.is_usable()) dbcancel(conn_.native());
    }
}

void MssqlConnection::settle() {
    if (active_stream_ != nullptr) active_stream_->buffer_rest();
}

std::unique_ptr<RowStream> MssqlConnection::open_stream(const std::string& sql, int, const TextParams& params) {
    if (!params.empty())
        throw Error(sqlstate::internal_error, "MSSQL streams take no parameters; inline them with quote_literal()");
    return std::make_unique<MssqlRowStream>(*this, sql);
}

std::unique_ptr<RowStream> MssqlConnection::query(const std::string& sql, const TextParams& params) {
    if (!params.empty())
        throw Error(sqlstate::internal_error, "MSSQL statements take no parameters; inline them with quote_literal()");
    auto stream = std::make_unique<MssqlRowStream>(*this, sql);
    stream->buffer_rest();
    return stream;
}

}  // namespace berqenas::remote
