-- Orleans ADO.NET providers (Microsoft.Orleans.*.AdoNet 10.4.2): the query catalogue.
--
-- At start-up each provider runs `SELECT QueryKey, QueryText FROM OrleansQuery` and from then on executes
-- only the SQL it found there, binding its own parameters (@DeploymentId, @GrainId, ...) and reading result
-- columns by name (case-insensitively, so unquoted aliases such as `AS SiloName` match). The table and
-- column names below OrleansQuery are ours; only the keys, parameter names and result column names are the
-- providers' contract. A provider refuses to start when a key it needs is missing.
--
-- Every script in this folder is idempotent (IF NOT EXISTS, CREATE OR REPLACE, upserts of the query rows),
-- so it can be applied again after an edit; stack.sh applies each one in a single transaction.

CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  varchar(64) PRIMARY KEY,
    QueryText text        NOT NULL
);
