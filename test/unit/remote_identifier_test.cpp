// Names compared as each remote compares them: MSSQL ignoring case (its default collation), as
// Babelfish's catalog needs (KEY_COLUMN_USAGE in lower case, COLUMNS as declared); PostgreSQL exactly.
#include <gtest/gtest.h>

#include "remote/identifier.hpp"

using namespace berqenas::remote;

TEST(RemoteIdentifier, MssqlNamesIgnoreCase) {
    EXPECT_TRUE(same_identifier(DatabaseKind::mssql, "CustomerId", "customerid"));
    EXPECT_TRUE(same_identifier(DatabaseKind::mssql, "UpdatedAt", "UPDATEDAT"));
    EXPECT_TRUE(same_identifier(DatabaseKind::mssql, "Customer", "Customer"));
    EXPECT_FALSE(same_identifier(DatabaseKind::mssql, "CustomerId", "Customer_Id"));
    EXPECT_FALSE(same_identifier(DatabaseKind::mssql, "Customer", "Customers"));
    EXPECT_FALSE(same_identifier(DatabaseKind::mssql, "", "a"));
    EXPECT_TRUE(same_identifier(DatabaseKind::mssql, "", ""));
}

TEST(RemoteIdentifier, MssqlNamesFoldLettersBeyondAscii) {
    // Latin-1, Latin Extended-A (Turkish, Polish, Czech), Greek, Cyrillic: case-insensitive ...
    EXPECT_TRUE(same_identifier(DatabaseKind::mssql, "Ürün", "üRÜN"));
    EXPECT_TRUE(same_identifier(DatabaseKind::mssql, "ÇAĞRI_Şube", "çağri_şube"));
    EXPECT_TRUE(same_identifier(DatabaseKind::mssql, "ŁÓDŹ_Ž", "łódź_ž"));
    EXPECT_TRUE(same_identifier(DatabaseKind::mssql, "ΤΙΜΉ_ΆΈΌ", "τιμή_άέό"));
    EXPECT_TRUE(same_identifier(DatabaseKind::mssql, "Клиент", "КЛИЕНТ"));
    EXPECT_TRUE(same_identifier(DatabaseKind::mssql, "ŸÆØ", "ÿæø"));
    // ... but accent-sensitive, as SQL_Latin1_General_CP1_CI_AS is.
    EXPECT_FALSE(same_identifier(DatabaseKind::mssql, "Kunde", "Künde"));
    EXPECT_FALSE(same_identifier(DatabaseKind::mssql, "e", "é"));
    // × and ÷ are not letters; neither is the multiplication sign turned into ÷.
    EXPECT_FALSE(same_identifier(DatabaseKind::mssql, "a×b", "a÷b"));
    EXPECT_EQ(mssql_name_key("CustomerId"), "customerid");
    EXPECT_EQ(mssql_name_key("ÜRÜN_İd"), "ürün_İd");   // dotted I: language-dependent, kept
    EXPECT_FALSE(same_identifier(DatabaseKind::mssql, "ı", "I"));   // and the dotless i is its own letter
}

TEST(RemoteIdentifier, InvalidUtf8IsComparedByteForByte) {
    const std::string bad = "A\xC3";   // truncated sequence
    EXPECT_EQ(mssql_name_key(bad), "a\xC3");
    EXPECT_EQ(mssql_name_key("\xFF\xFEX"), "\xFF\xFEx");
    EXPECT_TRUE(same_identifier(DatabaseKind::mssql, "\xC0\x80", "\xC0\x80"));   // overlong NUL: left alone
}

TEST(RemoteIdentifier, PostgresqlNamesAreExact) {
    EXPECT_FALSE(same_identifier(DatabaseKind::postgresql, "CustomerId", "customerid"));
    EXPECT_TRUE(same_identifier(DatabaseKind::postgresql, "CustomerId", "CustomerId"));
}

TEST(RemoteIdentifier, FindPrefersTheExactSpelling) {
    const std::vector<std::string> columns = {"CustomerId", "Name", "UpdatedAt"};
    EXPECT_EQ(find_identifier(DatabaseKind::mssql, columns, "customerid"), 0u);
    EXPECT_EQ(find_identifier(DatabaseKind::mssql, columns, "UPDATEDAT"), 2u);
    EXPECT_EQ(find_identifier(DatabaseKind::mssql, columns, "updated_at"), std::nullopt);
    EXPECT_EQ(find_identifier(DatabaseKind::postgresql, columns, "customerid"), std::nullopt);
    EXPECT_EQ(find_identifier(DatabaseKind::postgresql, columns, "Name"), 1u);
    // A case-sensitive collation can hold both spellings: the exact one wins, otherwise neither.
    const std::vector<std::string> both = {"Code", "CODE"};
    EXPECT_EQ(find_identifier(DatabaseKind::mssql, both, "CODE"), 1u);
    EXPECT_EQ(find_identifier(DatabaseKind::mssql, both, "code"), std::nullopt);
    EXPECT_EQ(find_identifier(DatabaseKind::mssql, {}, "x"), std::nullopt);
}

TEST(RemoteIdentifier, KeysCompareAsTheRemoteDoes) {
    EXPECT_EQ(identifier_key(DatabaseKind::mssql, "CustomerId"), "customerid");
    EXPECT_EQ(identifier_key(DatabaseKind::mssql, "CustomerId"), identifier_key(DatabaseKind::mssql, "CUSTOMERID"));
    EXPECT_EQ(identifier_key(DatabaseKind::postgresql, "CustomerId"), "CustomerId");
    EXPECT_NE(identifier_key(DatabaseKind::postgresql, "a"), identifier_key(DatabaseKind::postgresql, "A"));
}
