// Key file location: berqenas.secret_key_file, or one file per database under $PGDATA so that
// rotating the key of one database never touches another's.
#include "catalog/secret_store.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "pg/guard.hpp"
#include "pg/settings.hpp"

extern "C" {
#include "miscadmin.h"
}

namespace berqenas::catalog {

namespace {

std::string keys_directory() {
    std::string dir = std::string(DataDir) + "/berqenas_keys";
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
        throw Error(sqlstate::config_file_error, "cannot create directory \"" + dir + "\": " + strerror(errno));
    return dir;
}

}  // namespace

std::string key_file_path() {
    const char* configured = pg::Settings::secret_key_file;
    if (configured != nullptr && configured[0] != '\0') return configured;
    return keys_directory() + "/" + std::to_string(MyDatabaseId) + ".key";
}

// Always under $PGDATA, even with berqenas.secret_key_file on a read-only secrets volume: the
// pair is made by the server and protects nothing stored.
std::string sealing_key_path() { return keys_directory() + "/" + std::to_string(MyDatabaseId) + ".sealing"; }

crypto::KeyRing load_key_ring(KeyFileMissing when_missing) {
    std::string path = key_file_path();
    if (when_missing == KeyFileMissing::create) return crypto::KeyRing::load_or_create(path);
    struct stat st;
    if (::stat(path.c_str(), &st) != 0 && errno == ENOENT)
        throw Error(sqlstate::config_file_error, "secret key file \"" + path + "\" is missing, and secrets sealed with it are stored",
                    "Berqenas does not make a new key while sealed secrets exist: they would never open again",
                    "restore the key file from your backup to that path (mode 0600, owned by the server's OS user), "
                    "or set berqenas.secret_key_file to where it is; see docs/secrets.md");
    return crypto::KeyRing::load(path);
}

std::string secret_context(long long remote_database_id) {
    return "berqenas:remote_database:" + std::to_string(remote_database_id);
}

}  // namespace berqenas::catalog
