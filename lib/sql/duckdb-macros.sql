-- The bridge between Athena (Trino) and DuckDB: DuckDB macros named like the Athena functions the named queries
-- use, so each .sql file runs unchanged on both engines. Loaded by `mcjobs history --local` and the tests before
-- any query. Keep this the ONLY place that knows the two engines differ.
--
-- approx_percentile(x, p): Trino's estimate returns a value of the column; quantile_disc does the same exactly.
CREATE OR REPLACE MACRO approx_percentile(x, p) AS quantile_disc(x, p);
-- approx_distinct(x): Trino's HyperLogLog count; DuckDB's counterpart.
CREATE OR REPLACE MACRO approx_distinct(x) AS approx_count_distinct(x);
