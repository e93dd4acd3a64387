// BulkLoader: table_multi_insert in batches (see bulk_loader.hpp). Every PostgreSQL call runs in
// pg_call; per-row work happens in a batch memory context that is reset after each flush.
#include "sync/bulk_loader.hpp"

#include <map>

#include "pg/memory_context.hpp"
#include "sync/sync_settings.hpp"
#include "sync/value_conversion.hpp"

extern "C" {
#include "access/heapam.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/tuptable.h"
#include "utils/date.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
}

namespace berqenas::sync {

struct BulkLoader::State {
    Relation rel = nullptr;
    BulkInsertState bistate = nullptr;
    CommandId cid = 0;
    int options = 0;
    MemoryContext batch_context = nullptr;
    std::vector<TupleTableSlot*> slots;
    int buffered = 0;
    size_t buffered_bytes = 0;
    int natts = 0;
    std::vector<int> attno_of_column;          // stream column i -> attribute index (0-based)
    std::vector<ValueConverter> converters;    // per stream column
    int watermark_column = -1;                 // stream column index
    Oid watermark_type = InvalidOid;
    bool have_watermark = false;
    int64 watermark_value = 0;
    std::function<void(TupleTableSlot* const*, int)> sink;
};

BulkLoader::BulkLoader(const LoaderTarget& target, const std::vector<remote::StreamColumn>& stream_columns)
    : state_(std::make_unique<State>()) {
    State& s = *state_;
    s.rel = pg::pg_call([&] { return table_open(target.relid, RowExclusiveLock); });
    TupleDesc desc = RelationGetDescr(s.rel);
    s.natts = desc->natts;
    std::map<std::string, int> by_name;
    for (int a = 0; a < desc->natts; ++a) {
        Form_pg_attribute att = TupleDescAttr(desc, a);
        if (!att->attisdropped) by_name[NameStr(att->attname)] = a;
    }
    for (size_t i = 0; i < target.columns.size(); ++i) {
        auto it = by_name.find(target.columns[i]);
        if (it == by_name.end())
            throw Error(sqlstate::internal_error, "column \"" + target.columns[i] + "\" is missing in the load target");
        s.attno_of_column.push_back(it->second);
        Form_pg_attribute att = TupleDescAttr(desc, it->second);
        s.converters.emplace_back(att->atttypid, att->atttypmod,
                                  i < stream_columns.size() ? stream_columns[i].type_code : 0,
                                  i < target.utf16.size() && target.utf16[i]);
        if (target.columns[i] == target.watermark_column) {
            s.watermark_column = int(i);
            s.watermark_type = att->atttypid;
        }
    }
    s.cid = pg::pg_call([] { return GetCurrentCommandId(true); });
    s.options = TABLE_INSERT_SKIP_FSM | (target.frozen ? TABLE_INSERT_FROZEN : 0);
    s.sink = target.sink;
    if (!s.sink) s.bistate = pg::pg_call([] { return GetBulkInsertState(); });
    s.batch_context = pg::pg_call([] {
        return AllocSetContextCreate(CurrentMemoryContext, "berqenas sync batch", ALLOCSET_DEFAULT_SIZES);
    });
    const int batch = SyncSettings::batch_rows;
    s.slots.resize(size_t(batch), nullptr);
    for (int i = 0; i < batch; ++i) {
        Relation rel = s.rel;
        s.slots[size_t(i)] = pg::pg_call([&] { return table_slot_create(rel, nullptr); });
    }
}

BulkLoader::~BulkLoader() {
    // On error the (sub)transaction's abort closes the relation and frees the memory; the slots
    // and the bulk state are plain memory in contexts that go away with it.
}

void BulkLoader::add(const std::vector<remote::RemoteValue>& row) {
    State& s = *state_;
    TupleTableSlot* slot = s.slots[size_t(s.buffered)];
    const size_t n = s.converters.size();
    MemoryContext batch_context = s.batch_context;
    pg::pg_call([&] {
        MemoryContext old = MemoryContextSwitchTo(batch_context);
        ExecClearTuple(slot);
        for (int a = 0; a < s.natts; ++a) {
            slot->tts_values[a] = (Datum)0;
            slot->tts_isnull[a] = true;
        }
        for (size_t i = 0; i < n; ++i) {
            const int a = s.attno_of_column[i];
            slot->tts_values[a] = s.converters[i].convert(row[i], &slot->tts_isnull[a]);
        }
        ExecStoreVirtualTuple(slot);
        MemoryContextSwitchTo(old);
    });
    for (size_t i = 0; i < n; ++i) {
        const auto& v = row[i];
        s.buffered_bytes += v.kind == remote::ValueKind::null ? 0
                            : (v.kind == remote::ValueKind::text || v.kind == remote::ValueKind::binary ||
                               v.kind == remote::ValueKind::decimal_text || v.kind == remote::ValueKind::pg_binary ||
                               v.kind == remote::ValueKind::uuid)
                                ? v.bytes.size()
                                : 8;
    }
    if (s.watermark_column >= 0) {
        const int a = s.attno_of_column[size_t(s.watermark_column)];
        if (!slot->tts_isnull[a]) {
            int64 value;
            Datum d = slot->tts_values[a];
            switch (s.watermark_type) {
                case INT2OID: value = DatumGetInt16(d); break;
                case INT4OID:
                case DATEOID: value = DatumGetInt32(d); break;
                default: value = DatumGetInt64(d); break;   // int8, timestamp, timestamptz
            }
            if (!s.have_watermark || value > s.watermark_value) {
                s.watermark_value = value;
                s.have_watermark = true;
            }
        }
    }
    ++rows_;
    ++s.buffered;
    if (s.buffered == int(s.slots.size()) || s.buffered_bytes >= 8 * 1024 * 1024) flush();
}

void BulkLoader::flush() {
    State& s = *state_;
    if (s.buffered == 0) return;
    Relation rel = s.rel;
    TupleTableSlot** slots = s.slots.data();
    int n = s.buffered;
    CommandId cid = s.cid;
    int options = s.options;
    BulkInsertState bistate = s.bistate;
    MemoryContext batch_context = s.batch_context;
    if (s.sink) {
        // The sink runs its own guarded PostgreSQL calls; its allocations go to the batch context.
        pg::MemoryContextScope in_batch(batch_context);
        s.sink(slots, n);
    }
    pg::pg_call([&] {
        MemoryContext old = MemoryContextSwitchTo(batch_context);
        if (!s.sink) table_multi_insert(rel, slots, n, cid, options, bistate);
        MemoryContextSwitchTo(old);
        for (int i = 0; i < n; ++i) ExecClearTuple(slots[i]);
        MemoryContextReset(batch_context);
    });
    bytes_ += static_cast<long long>(s.buffered_bytes);
    s.buffered = 0;
    s.buffered_bytes = 0;
}

void BulkLoader::finish() {
    flush();
    State& s = *state_;
    if (s.rel == nullptr) return;
    Relation rel = s.rel;
    BulkInsertState bistate = s.bistate;
    int options = s.options;
    std::vector<TupleTableSlot*>& slots = s.slots;
    pg::pg_call([&] {
        for (TupleTableSlot* slot : slots) ExecDropSingleTupleTableSlot(slot);
        if (bistate != nullptr) {
            FreeBulkInsertState(bistate);
            table_finish_bulk_insert(rel, options);
        }
        table_close(rel, NoLock);
    });
    s.slots.clear();
    s.rel = nullptr;
}

std::optional<std::string> BulkLoader::watermark() const {
    const State& s = *state_;
    if (!s.have_watermark) return std::nullopt;
    Oid type = s.watermark_type;
    int64 v = s.watermark_value;
    char* text = pg::pg_call([&] {
        Datum d;
        switch (type) {
            case INT2OID: d = Int16GetDatum(int16(v)); break;
            case INT4OID: d = Int32GetDatum(int32(v)); break;
            case DATEOID: d = DateADTGetDatum(DateADT(v)); break;
            default: d = Int64GetDatum(v); break;
        }
        Oid out;
        bool varlena;
        getTypeOutputInfo(type, &out, &varlena);
        return OidOutputFunctionCall(out, d);
    });
    std::string result(text);
    return result;
}

}  // namespace berqenas::sync
