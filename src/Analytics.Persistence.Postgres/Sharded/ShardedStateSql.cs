namespace Analytics.Persistence.Postgres.Sharded;

/// <summary>
/// The SQL of the sharded state store. Every statement names its shard by (<c>service_id</c>, <c>store</c>,
/// <c>shard</c>), the leading primary key columns of both tables, so each one reads or writes one shard's range.
/// </summary>
internal sealed class ShardedStateSql(string prefix)
{
    private readonly string _headers = prefix + "_headers";
    private readonly string _items = prefix + "_items";

    /// <summary>
    /// Creates the tables and the index if missing. Several silos start at once and <c>IF NOT EXISTS</c> alone can
    /// still fail on a concurrent creation (a unique violation in the catalogue), so creators queue on an advisory
    /// lock derived from the prefix. Run inside a transaction (the lock is released at its end).
    /// </summary>
    public string CreateTables => $"""
        SELECT pg_advisory_xact_lock(hashtext('analytics.sharded_state.{prefix}'));
        CREATE TABLE IF NOT EXISTS {_headers}
        (
            service_id  text        NOT NULL,
            store       text        NOT NULL,
            shard       text        NOT NULL,
            version     bigint      NOT NULL,
            payload     bytea       NOT NULL,
            modified_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (service_id, store, shard)
        )
        -- A header is rewritten several times a second and no indexed column changes: free space on its page lets
        -- PostgreSQL update it in place (HOT) instead of adding a primary key entry each time.
        WITH (fillfactor = 50);
        CREATE TABLE IF NOT EXISTS {_items}
        (
            service_id  text        NOT NULL,
            store       text        NOT NULL,
            shard       text        NOT NULL,
            item_key    text        NOT NULL,
            payload     bytea       NOT NULL,
            active_at   timestamptz NOT NULL,
            written_seq bigint      NOT NULL,
            PRIMARY KEY (service_id, store, shard, item_key)
        );
        -- Finds a shard's expired items oldest first. item_key makes the order total (ties of active_at come back
        -- the same way every time) without a sort. written_seq has no index: it is read once per shard activation.
        CREATE INDEX IF NOT EXISTS {_items}_active ON {_items} (service_id, store, shard, active_at, item_key);
        """;

    /// <summary>
    /// Writes a shard in one statement. Parameters: <c>service_id</c>, <c>store</c>, <c>shard</c>, <c>expected</c>
    /// bigint (0: first write), <c>header</c> bytea, the arrays <c>keys</c> text[], <c>payloads</c> bytea[],
    /// <c>active_at</c> timestamptz[], <c>written_seq</c> bigint[] (the upserts, distinct keys) and <c>deletes</c>
    /// text[]. Returns one row (new version, items upserted, items deleted) when the version check passed, none
    /// when it failed, in which case nothing changed: the item statements are gated on the header's RETURNING.
    /// </summary>
    /// <remarks>
    /// Two writers expecting the same version: the second's UPDATE waits for the first's row lock, re-checks the
    /// version after the first commits, finds it moved and returns nothing; two first writes meet in ON CONFLICT
    /// DO NOTHING the same way. All CTEs run to completion whether or not the final SELECT reads them.
    /// </remarks>
    public string Write => $"""
        WITH updated AS (
            UPDATE {_headers}
               SET version = version + 1, payload = @header, modified_at = now()
             WHERE service_id = @service_id AND store = @store AND shard = @shard AND version = @expected
            RETURNING version
        ), created AS (
            INSERT INTO {_headers} (service_id, store, shard, version, payload)
            SELECT @service_id, @store, @shard, 1, @header WHERE @expected = 0
            ON CONFLICT DO NOTHING
            RETURNING version
        ), hdr AS (
            SELECT version FROM updated UNION ALL SELECT version FROM created
        ), upserted AS (
            INSERT INTO {_items} AS t (service_id, store, shard, item_key, payload, active_at, written_seq)
            SELECT @service_id, @store, @shard, u.item_key, u.payload, u.active_at, u.written_seq
              FROM unnest(@keys::text[], @payloads::bytea[], @active_at::timestamptz[], @written_seq::bigint[])
                   AS u(item_key, payload, active_at, written_seq)
             WHERE EXISTS (SELECT 1 FROM hdr)
            ON CONFLICT (service_id, store, shard, item_key) DO UPDATE
               SET payload = excluded.payload, active_at = excluded.active_at, written_seq = excluded.written_seq
            RETURNING 1
        ), deleted AS (
            DELETE FROM {_items}
             WHERE service_id = @service_id AND store = @store AND shard = @shard AND item_key = ANY(@deletes::text[])
               AND EXISTS (SELECT 1 FROM hdr)
            RETURNING 1
        )
        SELECT version, (SELECT count(*) FROM upserted), (SELECT count(*) FROM deleted) FROM hdr
        """;

    /// <summary>Reads a header. Parameters: <c>service_id</c>, <c>store</c>, <c>shard</c>. Returns (version, payload) or no row.</summary>
    public string ReadHeader => $"""
        SELECT version, payload FROM {_headers} WHERE service_id = @service_id AND store = @store AND shard = @shard
        """;

    /// <summary>Reads items by key. Parameters: <c>service_id</c>, <c>store</c>, <c>shard</c>, <c>keys</c> text[].</summary>
    public string ReadItems => $"""
        SELECT {ItemColumns} FROM {_items}
         WHERE service_id = @service_id AND store = @store AND shard = @shard AND item_key = ANY(@keys::text[])
         ORDER BY item_key
        """;

    /// <summary>
    /// Reads items written after a sequence number, lowest first. Parameters: <c>service_id</c>, <c>store</c>,
    /// <c>shard</c>, <c>after_seq</c> bigint, <c>limit</c> int. A scan of the shard's primary key range with a
    /// filter and a top-N sort: rare (once per activation), so not worth an index written on every upsert.
    /// </summary>
    public string ReadItemsWrittenAfter => $"""
        SELECT {ItemColumns} FROM {_items}
         WHERE service_id = @service_id AND store = @store AND shard = @shard AND written_seq > @after_seq
         ORDER BY written_seq, item_key
         LIMIT @limit
        """;

    /// <summary>
    /// Reads items last active before an instant, oldest first (the <c>_active</c> index, in order). Parameters:
    /// <c>service_id</c>, <c>store</c>, <c>shard</c>, <c>before</c> timestamptz, <c>limit</c> int.
    /// </summary>
    public string ReadItemsActiveBefore => $"""
        SELECT {ItemColumns} FROM {_items}
         WHERE service_id = @service_id AND store = @store AND shard = @shard AND active_at < @before
         ORDER BY active_at, item_key
         LIMIT @limit
        """;

    private const string ItemColumns = "item_key, payload, active_at, written_seq";
}
