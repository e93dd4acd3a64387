// The advisory lock classes: the C++ registry (sync/engine/advisory_locks.hpp) and the SQL one
// (berqenas._lock_class in sql/install/30_sync.sql) name the same numbers, and no two collide.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "sync/engine/advisory_locks.hpp"

namespace {

// name -> class, as the body of berqenas._lock_class lists them (WHEN 'name' THEN number).
std::map<std::string, int> sql_lock_classes() {
    const std::string source = __FILE__;
    const std::string root = source.substr(0, source.rfind("/test/unit/"));
    std::ifstream in(root + "/sql/install/30_sync.sql");
    std::stringstream text;
    text << in.rdbuf();
    const std::string sql = text.str();
    const size_t start = sql.find("CREATE FUNCTION berqenas._lock_class(");
    const size_t end = sql.find("$$;", start);
    std::map<std::string, int> out;
    if (start == std::string::npos || end == std::string::npos) return out;
    const std::string body = sql.substr(start, end - start);
    const std::regex when("WHEN '([a-z_]+)' THEN ([0-9]+)");
    for (auto it = std::sregex_iterator(body.begin(), body.end(), when); it != std::sregex_iterator(); ++it)
        out[(*it)[1]] = std::stoi((*it)[2]);
    return out;
}

}  // namespace

TEST(AdvisoryLocks, SqlAndCppNameTheSameClasses) {
    namespace lc = berqenas::sync::lock_class;
    const std::map<std::string, int> cpp = {{"database", lc::database}, {"sync_id", lc::sync_id}, {"apply", lc::apply},
                                            {"tenant_slots", lc::tenant_slots}, {"worker", lc::worker}};
    EXPECT_EQ(sql_lock_classes(), cpp);
}

TEST(AdvisoryLocks, ClassesAreDistinct) {
    namespace lc = berqenas::sync::lock_class;
    const std::set<int> classes = {lc::database, lc::sync_id, lc::apply, lc::tenant_slots, lc::worker};
    EXPECT_EQ(classes.size(), 5u);
    // The tenant slots' default range (5 slots) stays clear of every other class.
    for (int slot = 0; slot < 5; ++slot) EXPECT_EQ(classes.count(lc::tenant_slots + slot), slot == 0 ? 1u : 0u);
}
