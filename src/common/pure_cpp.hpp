// Included by every header of the pure C++ folders (src/common, src/crypto, src/remote,
// src/sync/engine): code there is shared with the CLI and the unit tests, so it must not depend
// on postgres.h.
#pragma once

// The build marks the translation units of those folders with BERQENAS_PURE_CPP (Makefile,
// CMakeLists.txt); the PostgreSQL-facing code that includes these headers too is not marked.
#ifdef BERQENAS_PURE_CPP
#if defined(POSTGRES_H) || defined(PG_VERSION_NUM)
#error "postgres.h is included in pure C++ code (src/common, src/crypto, src/remote, src/sync/engine): move the PostgreSQL part to src/pg or the caller"
#endif
// And an #include "postgres.h" further down fails on its include guard ("attempt to use poisoned").
#pragma GCC poison POSTGRES_H
#endif
