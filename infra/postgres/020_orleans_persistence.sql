-- Orleans ADO.NET grain storage: one row per grain state, optimistic concurrency on an integer version
-- (the grain's ETag). A query that loses on the version returns NULL or no row, which the provider turns
-- into an InconsistentStateException. The state is stored as the provider serialized it (for the JSON
-- serializer that includes .NET type names: give state types stable names).

CREATE TABLE IF NOT EXISTS orleans_storage
(
    service_id         varchar(150) NOT NULL,
    grain_type         varchar(512) NOT NULL,
    grain_id_n0        bigint       NOT NULL,
    grain_id_n1        bigint       NOT NULL,
    -- The string part of the grain key ('' when there is none), so the key is plain equality and indexable.
    grain_id_extension varchar(512) NOT NULL,
    grain_type_hash    integer      NOT NULL,
    grain_id_hash      integer      NOT NULL,
    payload            bytea,       -- NULL after a clear that keeps the row
    version            integer      NOT NULL,
    modified_at        timestamptz  NOT NULL DEFAULT now(),
    PRIMARY KEY (service_id, grain_type, grain_id_n0, grain_id_n1, grain_id_extension)
);

-- First write (@GrainStateVersion NULL) inserts version 1 unless a row exists; later writes must carry the
-- current version. Returns the new version, or NULL on a conflict.
CREATE OR REPLACE FUNCTION orleans_storage_write(
    p_grain_id_hash integer, p_grain_id_n0 bigint, p_grain_id_n1 bigint, p_grain_type_hash integer,
    p_grain_type text, p_grain_id_extension text, p_service_id text, p_version integer, p_payload bytea)
RETURNS integer
LANGUAGE plpgsql AS $fn$
DECLARE
    new_version integer;
BEGIN
    IF p_version IS NULL THEN
        INSERT INTO orleans_storage (service_id, grain_type, grain_id_n0, grain_id_n1, grain_id_extension,
                                     grain_type_hash, grain_id_hash, payload, version)
        VALUES (p_service_id, p_grain_type, p_grain_id_n0, p_grain_id_n1, coalesce(p_grain_id_extension, ''),
                p_grain_type_hash, p_grain_id_hash, p_payload, 1)
        ON CONFLICT DO NOTHING
        RETURNING version INTO new_version;
    ELSE
        UPDATE orleans_storage
           SET payload = p_payload, version = version + 1, modified_at = now()
         WHERE service_id = p_service_id AND grain_type = p_grain_type
           AND grain_id_n0 = p_grain_id_n0 AND grain_id_n1 = p_grain_id_n1
           AND grain_id_extension = coalesce(p_grain_id_extension, '')
           AND version = p_version
        RETURNING version INTO new_version;
    END IF;
    RETURN new_version;
END
$fn$;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
('WriteToStorageKey', $q$
    SELECT orleans_storage_write(@GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString,
                                 @GrainIdExtensionString, @ServiceId, @GrainStateVersion, @PayloadBinary)
           AS NewGrainStateVersion
$q$),
-- No row: the grain has no state yet. PayloadBinary NULL: the state was cleared (Version still counts).
('ReadFromStorageKey', $q$
    SELECT payload AS PayloadBinary, version AS Version
      FROM orleans_storage
     WHERE service_id = @ServiceId AND grain_type = @GrainTypeString
       AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
       AND grain_id_extension = coalesce(@GrainIdExtensionString, '')
$q$),
-- ClearStateAsync with DeleteStateOnClear = false: keeps the row (and its version history), drops the state.
('ClearStorageKey', $q$
    UPDATE orleans_storage
       SET payload = NULL, version = version + 1, modified_at = now()
     WHERE service_id = @ServiceId AND grain_type = @GrainTypeString
       AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
       AND grain_id_extension = coalesce(@GrainIdExtensionString, '')
       AND version = @GrainStateVersion
    RETURNING version AS NewGrainStateVersion
$q$),
-- ClearStateAsync with DeleteStateOnClear = true: removes the row; the next write starts again at version 1.
('DeleteStorageKey', $q$
    DELETE FROM orleans_storage
     WHERE service_id = @ServiceId AND grain_type = @GrainTypeString
       AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
       AND grain_id_extension = coalesce(@GrainIdExtensionString, '')
       AND version = @GrainStateVersion
    RETURNING version + 1 AS NewGrainStateVersion
$q$)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
