# berqenas.so and the extension's SQL files, built and installed with PGXS.
# C++ sources: every src/**/*.cpp except the CLI (src/cli), which CMake builds.
MODULE_big = berqenas
EXTENSION = berqenas
DATA_built = sql/berqenas--0.1.0.sql
PGFILEDESC = "berqenas - sync on-premise databases into PostgreSQL"

CPP_SOURCES = $(filter-out src/cli/%,$(shell find src -name '*.cpp' | sort))
OBJS = $(CPP_SOURCES:.cpp=.o)

REGRESS = $(patsubst sql/%.sql,%,$(sort $(filter-out sql/berqenas--%,$(wildcard sql/*.sql))))

REGRESS_OPTS = --inputdir=. --load-extension=berqenas

PG_CONFIG ?= pg_config
PG_CPPFLAGS = -Isrc -I$(shell $(PG_CONFIG) --includedir)
# build-flags.txt: the warning and code-generation flags, one place for PGXS and CMake alike (the
# unit tests compile the engine sources with the same flags as berqenas.so).
PG_CXXFLAGS = -std=c++17 $(shell cat build-flags.txt) -fPIC
SHLIB_LINK = -lpq -lsybdb -lsodium -lstdc++

# PGXS would also emit LLVM bitcode (clang, no C++17 flags) for JIT inlining; we do not ship it.
override with_llvm = no

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# PGXS compiles .cpp with CXX and CXXFLAGS; ours go last so -Werror and C++17 win.
override CXXFLAGS += $(PG_CXXFLAGS)

# The pure C++ folders, shared with the CLI and the unit tests: common/pure_cpp.hpp fails their
# build when postgres.h is included (test/lint/pure_cpp_folders.sh checks that it would).
PURE_CPP_OBJS = $(filter src/common/% src/crypto/% src/remote/% src/sync/engine/%,$(OBJS))
$(PURE_CPP_OBJS): override CXXFLAGS += -DBERQENAS_PURE_CPP

# Rebuild an object when a header it includes changes (PGXS tracks only .cpp files): a class
# layout seen differently by two objects corrupts memory.
override CXXFLAGS += -MMD -MP
-include $(OBJS:.o=.d)

# The extension script is assembled from one part per capability (sql/install/README.md).
INSTALL_PARTS = $(sort $(wildcard sql/install/*.sql))
sql/berqenas--0.1.0.sql: $(INSTALL_PARTS)
	( echo '-- berqenas 0.1.0 (generated from sql/install/*.sql by make; edit the parts)'; \
	  printf '%s\n' '\echo Use "CREATE EXTENSION berqenas" to load this file. \quit'; \
	  for part in $(INSTALL_PARTS); do echo; cat $$part; done ) > $@
EXTRA_CLEAN = $(OBJS:.o=.d)
