// The conflict policy (sync/engine/conflict_policy): which side's version of a row wins under each
// strategy, the tie rule of latest_wins, and what the one-way modes may apply set-based.
#include <gtest/gtest.h>

#include "common/error.hpp"
#include "sync/engine/conflict_policy.hpp"

using namespace berqenas::sync;

namespace {

RowVersion unchanged(uint64_t hash) {
    RowVersion v;
    v.content_hash = hash;
    return v;
}

RowVersion updated(uint64_t hash, int64_t at) {
    RowVersion v;
    v.changed = true;
    v.content_hash = hash;
    v.updated_at = at;
    return v;
}

RowVersion deleted(std::optional<int64_t> at = std::nullopt) {
    RowVersion v;
    v.changed = true;
    v.deleted = true;
    v.updated_at = at;
    return v;
}

RowFacts facts(RowVersion remote, RowVersion cloud) {
    RowFacts f;
    f.remote = remote;
    f.cloud = cloud;
    f.synced_hash = 100;
    return f;
}

constexpr ConflictStrategy all[] = {ConflictStrategy::remote_wins, ConflictStrategy::latest_wins, ConflictStrategy::cloud_wins,
                                    ConflictStrategy::local_wins, ConflictStrategy::manual};

}  // namespace

TEST(ConflictPolicy, NeitherSideChangedWritesNothing) {
    for (ConflictStrategy s : all) EXPECT_EQ(resolve_row(s, facts(unchanged(100), unchanged(100))), Resolution::no_change);
}

TEST(ConflictPolicy, BothChangedToTheSameContentIsNoConflict) {
    for (ConflictStrategy s : all) {
        EXPECT_EQ(resolve_row(s, facts(updated(7, 10), updated(7, 20))), Resolution::equal_content);
        EXPECT_EQ(resolve_row(s, facts(deleted(), deleted())), Resolution::equal_content);
    }
    EXPECT_FALSE(is_conflict(facts(updated(7, 10), updated(7, 20))));
    EXPECT_TRUE(is_conflict(facts(updated(7, 10), updated(8, 20))));
    EXPECT_TRUE(is_conflict(facts(deleted(), updated(8, 20))));
    EXPECT_FALSE(is_conflict(facts(updated(7, 10), unchanged(100))));
}

TEST(ConflictPolicy, AChangeOnOneSideGoesToTheOther) {
    for (ConflictStrategy s : all) EXPECT_EQ(resolve_row(s, facts(updated(7, 10), unchanged(100))), Resolution::apply_remote);
    EXPECT_EQ(resolve_row(ConflictStrategy::latest_wins, facts(unchanged(100), updated(7, 10))), Resolution::apply_cloud);
    EXPECT_EQ(resolve_row(ConflictStrategy::cloud_wins, facts(unchanged(100), updated(7, 10))), Resolution::apply_cloud);
    EXPECT_EQ(resolve_row(ConflictStrategy::local_wins, facts(unchanged(100), updated(7, 10))), Resolution::apply_cloud);
    EXPECT_EQ(resolve_row(ConflictStrategy::manual, facts(unchanged(100), deleted())), Resolution::apply_cloud);
}

TEST(ConflictPolicy, RemoteWinsAlwaysAppliesTheRemotesVersion) {
    const ConflictStrategy s = ConflictStrategy::remote_wins;
    EXPECT_EQ(resolve_row(s, facts(updated(7, 10), updated(8, 20))), Resolution::apply_remote);
    EXPECT_EQ(resolve_row(s, facts(unchanged(100), updated(8, 20))), Resolution::apply_remote);   // a cloud edit is overwritten
    EXPECT_EQ(resolve_row(s, facts(deleted(), updated(8, 20))), Resolution::apply_remote);
    EXPECT_EQ(one_way_strategy, ConflictStrategy::remote_wins);
}

TEST(ConflictPolicy, CloudWinsAndLocalWinsPickTheirSide) {
    EXPECT_EQ(resolve_row(ConflictStrategy::cloud_wins, facts(updated(7, 30), updated(8, 20))), Resolution::apply_cloud);
    EXPECT_EQ(resolve_row(ConflictStrategy::cloud_wins, facts(updated(7, 30), deleted(10))), Resolution::apply_cloud);
    EXPECT_EQ(resolve_row(ConflictStrategy::local_wins, facts(updated(7, 10), updated(8, 20))), Resolution::apply_remote);
    EXPECT_EQ(resolve_row(ConflictStrategy::local_wins, facts(deleted(5), updated(8, 20))), Resolution::apply_remote);
}

TEST(ConflictPolicy, LatestWinsTakesTheLaterChange) {
    const ConflictStrategy s = ConflictStrategy::latest_wins;
    EXPECT_EQ(resolve_row(s, facts(updated(7, 1435), updated(8, 1430))), Resolution::apply_remote);
    EXPECT_EQ(resolve_row(s, facts(updated(7, 1430), updated(8, 1435))), Resolution::apply_cloud);
    EXPECT_EQ(resolve_row(s, facts(deleted(1440), updated(8, 1435))), Resolution::apply_remote);
    // A version with a clock beats one without.
    EXPECT_EQ(resolve_row(s, facts(updated(7, 1), deleted())), Resolution::apply_remote);
    EXPECT_EQ(resolve_row(s, facts(deleted(), updated(8, 1))), Resolution::apply_cloud);
}

TEST(ConflictPolicy, LatestWinsTiesGoToTheCloud) {
    const ConflictStrategy s = ConflictStrategy::latest_wins;
    EXPECT_EQ(resolve_row(s, facts(updated(7, 1430), updated(8, 1430))), Resolution::apply_cloud);
    EXPECT_EQ(resolve_row(s, facts(deleted(1430), updated(8, 1430))), Resolution::apply_cloud);
    RowFacts neither_known = facts(updated(7, 0), updated(8, 0));
    neither_known.remote.updated_at.reset();
    neither_known.cloud.updated_at.reset();
    EXPECT_EQ(resolve_row(s, neither_known), Resolution::apply_cloud);
}

TEST(ConflictPolicy, ManualHoldsAConflict) {
    EXPECT_EQ(resolve_row(ConflictStrategy::manual, facts(updated(7, 10), updated(8, 20))), Resolution::hold);
    EXPECT_EQ(resolve_row(ConflictStrategy::manual, facts(deleted(), updated(8, 20))), Resolution::hold);
}

TEST(ConflictPolicy, OnlyRemoteWinsMayApplySetBased) {
    EXPECT_TRUE(remote_version_always_applies(ConflictStrategy::remote_wins));
    EXPECT_FALSE(remote_version_always_applies(ConflictStrategy::latest_wins));
    EXPECT_FALSE(remote_version_always_applies(ConflictStrategy::cloud_wins));
    EXPECT_FALSE(remote_version_always_applies(ConflictStrategy::local_wins));
    EXPECT_FALSE(remote_version_always_applies(ConflictStrategy::manual));
}

TEST(ConflictPolicy, SetBasedPathsRefuseOtherStrategies) {
    EXPECT_NO_THROW(require_remote_version_applies(one_way_strategy, "an incremental sync"));
    try {
        require_remote_version_applies(ConflictStrategy::manual, "an incremental sync");
        FAIL() << "manual must be refused";
    } catch (const berqenas::Error& e) {
        EXPECT_EQ(std::string(e.sqlstate()), "XX000");
        EXPECT_NE(std::string(e.what()).find("an incremental sync"), std::string::npos);
    }
}

TEST(ConflictPolicy, StrategyNamesRoundTripAndOnlyTwoWayOnesParse) {
    for (ConflictStrategy s : {ConflictStrategy::latest_wins, ConflictStrategy::cloud_wins, ConflictStrategy::local_wins,
                               ConflictStrategy::manual})
        EXPECT_EQ(parse_conflict_strategy(conflict_strategy_name(s)), s);
    EXPECT_EQ(parse_conflict_strategy("remote_wins"), std::nullopt);   // the one-way modes' own, not a choice
    EXPECT_EQ(parse_conflict_strategy("Latest_Wins"), std::nullopt);
}
