namespace Analytics.Persistence.Postgres;

/// <summary>
/// The SQL of the batched storage. Batches are single statements over arrays (<c>unnest</c>): one parse, one
/// plan and one round trip for any number of rows, with each row's optimistic-concurrency check in its WHERE
/// clause, so a row that loses its check is simply not returned and the others still commit.
/// </summary>
internal sealed class BatchedStateSql(string table)
{
    /// <summary>
    /// Creates the table if missing. Several silos start at once: <c>CREATE TABLE IF NOT EXISTS</c> alone can
    /// still fail on a concurrent creation (a unique violation in the catalogue), so creators queue on an advisory
    /// lock derived from the table name. Run inside a transaction (the lock is released at its end).
    /// </summary>
    public string CreateTable => $"""
        SELECT pg_advisory_xact_lock(hashtext('analytics.batched_state.{table}'));
        CREATE TABLE IF NOT EXISTS {table}
        (
            service_id  text        NOT NULL,
            grain_type  text        NOT NULL,
            grain_key   text        NOT NULL,
            state_name  text        NOT NULL,
            version     integer     NOT NULL,
            payload     bytea       NOT NULL,
            modified_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (service_id, grain_type, grain_key, state_name)
        )
        -- Rows are rewritten constantly and no indexed column changes: free space on each page lets PostgreSQL
        -- update in place (HOT) instead of touching the primary key index on every write.
        WITH (fillfactor = 70);
        """;

    /// <summary>
    /// Writes a batch. Parameters: <c>service_id</c> text and the arrays <c>idx</c> int[], <c>grain_type</c>,
    /// <c>grain_key</c>, <c>state_name</c> text[], <c>version</c> int[] (NULL: first write), <c>payload</c> bytea[].
    /// Returns (idx, version) for every row written; a missing idx lost its version check. Keys are distinct
    /// within a batch (see <see cref="BatchAssembler"/>).
    /// </summary>
    public string Write => $"""
        WITH input AS (
            SELECT * FROM unnest(@idx::int[], @grain_type::text[], @grain_key::text[], @state_name::text[], @version::int[], @payload::bytea[])
                   AS i(idx, grain_type, grain_key, state_name, version, payload)
        ), updated AS (
            UPDATE {table} AS t
               SET payload = i.payload, version = t.version + 1, modified_at = now()
              FROM input AS i
             WHERE i.version IS NOT NULL AND t.service_id = @service_id AND t.grain_type = i.grain_type
               AND t.grain_key = i.grain_key AND t.state_name = i.state_name AND t.version = i.version
            RETURNING i.idx, t.version
        ), inserted AS (
            INSERT INTO {table} (service_id, grain_type, grain_key, state_name, version, payload)
            SELECT @service_id, i.grain_type, i.grain_key, i.state_name, 1, i.payload FROM input AS i WHERE i.version IS NULL
            ON CONFLICT DO NOTHING
            RETURNING grain_type, grain_key, state_name, version
        )
        SELECT idx, version FROM updated
        UNION ALL
        SELECT i.idx, n.version FROM inserted AS n JOIN input AS i USING (grain_type, grain_key, state_name) WHERE i.version IS NULL
        """;

    /// <summary>
    /// Reads a batch. Parameters: <c>service_id</c> and the arrays <c>idx</c>, <c>grain_type</c>, <c>grain_key</c>,
    /// <c>state_name</c>. Returns (idx, version, payload) for every request whose row exists.
    /// </summary>
    public string Read => $"""
        SELECT i.idx, t.version, t.payload
          FROM unnest(@idx::int[], @grain_type::text[], @grain_key::text[], @state_name::text[]) AS i(idx, grain_type, grain_key, state_name)
          JOIN {table} AS t
            ON t.service_id = @service_id AND t.grain_type = i.grain_type AND t.grain_key = i.grain_key AND t.state_name = i.state_name
        """;

    /// <summary>
    /// Deletes one row if its version is <c>version</c>. Parameters: <c>service_id</c>, <c>grain_type</c>,
    /// <c>grain_key</c>, <c>state_name</c>, <c>version</c>. Returns the deleted row's version; no row when nothing matched.
    /// </summary>
    public string Delete => $"""
        DELETE FROM {table}
         WHERE service_id = @service_id AND grain_type = @grain_type AND grain_key = @grain_key AND state_name = @state_name
           AND version = @version
        RETURNING version
        """;
}
