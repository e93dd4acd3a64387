-- The C++/PostgreSQL boundary: errors raised deep in C++ with RAII objects alive surface with the
-- right SQLSTATE and leak nothing; PostgreSQL errors inside C++ unwind C++ frames; a cancel
-- during a long C++ loop stops it with 57014.
CREATE FUNCTION pg_temp.raise_in_cpp(depth int, state text) RETURNS void
    LANGUAGE c STRICT AS 'berqenas', 'berqenas_selftest_raise';
CREATE FUNCTION pg_temp.pg_error_in_cpp(depth int) RETURNS void
    LANGUAGE c STRICT AS 'berqenas', 'berqenas_selftest_pg_error';
CREATE FUNCTION pg_temp.spin(seconds float8) RETURNS bigint
    LANGUAGE c STRICT AS 'berqenas', 'berqenas_selftest_spin';
CREATE FUNCTION pg_temp.throw_inside_pg_call() RETURNS void
    LANGUAGE c STRICT AS 'berqenas', 'berqenas_selftest_throw_inside_pg_call';
CREATE FUNCTION pg_temp.live_objects() RETURNS int
    LANGUAGE c STRICT AS 'berqenas', 'berqenas_selftest_live_objects';
CREATE FUNCTION pg_temp.error_of(statement text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE statement;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END
$$;

-- A berqenas::Error thrown 50 frames down, each frame holding an object with a destructor.
SELECT pg_temp.error_of($$SELECT pg_temp.raise_in_cpp(50, '22023')$$);
SELECT pg_temp.live_objects() AS live_after_cpp_error;
SELECT pg_temp.error_of($$SELECT pg_temp.raise_in_cpp(3, '08006')$$);
SELECT pg_temp.live_objects() AS live_after_second_error;

-- The error reaches the client with its detail.
\set VERBOSITY default
SELECT pg_temp.raise_in_cpp(2, '42704');

-- An ereport(ERROR) from PostgreSQL (int4in on bad input) inside C++ frames: converted into a C++
-- exception by pg_call, frames unwound, re-raised with the original SQLSTATE.
SELECT pg_temp.error_of($$SELECT pg_temp.pg_error_in_cpp(20)$$);
SELECT pg_temp.live_objects() AS live_after_pg_error;

-- A C++ exception thrown inside pg_call's PG_TRY is carried out safely; afterwards ordinary
-- PostgreSQL errors are still caught where they should be.
SELECT pg_temp.error_of($$SELECT pg_temp.throw_inside_pg_call()$$);
SELECT pg_temp.error_of($$SELECT 1 / 0$$);
SELECT pg_temp.error_of($$SELECT pg_temp.pg_error_in_cpp(2)$$);
SELECT pg_temp.live_objects() AS live_after_throw_inside_pg_call;

-- A cancel in a long C++ loop (statement_timeout sends the same interrupt as pg_cancel_backend;
-- test/integration/cancel_long_loop.sh does it with pg_cancel_backend from another session).
SET statement_timeout = '300ms';
DO $$
BEGIN
    PERFORM pg_temp.spin(30);
EXCEPTION WHEN query_canceled THEN
    RAISE NOTICE 'cancelled: % %', SQLSTATE, SQLERRM;
END
$$;
RESET statement_timeout;
SELECT pg_temp.live_objects() AS live_after_cancel;

-- A loop that is not cancelled finishes normally.
SELECT pg_temp.spin(0.05) > 0 AS spun;
SELECT pg_temp.live_objects() AS live_at_end;
