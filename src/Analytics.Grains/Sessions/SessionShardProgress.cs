using System.Text;

namespace Analytics.Grains.Sessions;

/// <summary>
/// A session shard's own durable state, stored as the shard header in the same atomic write as the sessions it
/// covers: the highest Kafka offset applied per partition (replays at or below are skipped), the sequence number of
/// the latest write, and up to which write ClickHouse is known to have every session row.
/// </summary>
public sealed class SessionShardProgress
{
    private const byte FormatV1 = 1;

    /// <summary>Highest Kafka offset applied per partition.</summary>
    public Dictionary<int, long> AppliedOffsets { get; } = new();

    /// <summary>Sequence number of the latest write (every stored session carries the one that stored it).</summary>
    public long WriteSeq { get; set; }

    /// <summary>Every session row stored by writes up to this sequence number is in ClickHouse.</summary>
    public long RowsWrittenSeq { get; set; }

    /// <summary>Encodes the progress as the shard header.</summary>
    public byte[] Encode()
    {
        using var buffer = new MemoryStream(32 + (AppliedOffsets.Count * 12));
        using (var w = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(FormatV1);
            w.Write(WriteSeq);
            w.Write(RowsWrittenSeq);
            w.Write(AppliedOffsets.Count);
            foreach (var (partition, offset) in AppliedOffsets)
            {
                w.Write(partition);
                w.Write(offset);
            }
        }
        return buffer.ToArray();
    }

    /// <summary>Decodes a header; an empty payload (a shard never written) gives empty progress.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a header this version can read.</exception>
    public static SessionShardProgress Decode(byte[] payload)
    {
        var progress = new SessionShardProgress();
        if (payload.Length == 0) return progress;
        using var r = new BinaryReader(new MemoryStream(payload, writable: false), Encoding.UTF8);
        try
        {
            var format = r.ReadByte();
            if (format != FormatV1) throw new InvalidDataException($"Unknown session shard header format {format}.");
            progress.WriteSeq = r.ReadInt64();
            progress.RowsWrittenSeq = r.ReadInt64();
            var partitions = r.ReadInt32();
            if (partitions is < 0 or > 100_000) throw new InvalidDataException($"Session shard header lists {partitions} partitions.");
            for (var i = 0; i < partitions; i++) progress.AppliedOffsets[r.ReadInt32()] = r.ReadInt64();
            return progress;
        }
        catch (EndOfStreamException ex)
        {
            throw new InvalidDataException("Session shard header is truncated.", ex);
        }
    }
}
