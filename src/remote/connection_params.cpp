// Describing connection parameters (the kinds' names are in connect.cpp, with the kinds).
#include "remote/connection_params.hpp"

namespace berqenas::remote {

std::string ConnectionParams::describe() const {
    return std::string(database_kind_name(kind)) + "://" + user + "@" + host + ":" + std::to_string(port) + "/" + database;
}

}  // namespace berqenas::remote
