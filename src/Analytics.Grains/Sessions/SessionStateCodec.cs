using System.Text;

namespace Analytics.Grains.Sessions;

/// <summary>
/// The binary form of a <see cref="SessionState"/> in the shard store: a format byte, then the fields in a fixed
/// order. Hand-written because hundreds of thousands of sessions are written a minute: a few hundred bytes each,
/// no reflection, no field names.
/// </summary>
public static class SessionStateCodec
{
    private const byte FormatV1 = 1;

    /// <summary>Encodes <paramref name="state"/>.</summary>
    public static byte[] Encode(SessionState state)
    {
        using var buffer = new MemoryStream(128 + (state.RecentPages.Count * 24));
        using (var w = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(FormatV1);
            w.Write(state.Generation);
            w.Write(state.UserId);
            w.Write(state.StartedAt.Ticks);
            w.Write(state.LastActivityAt.Ticks);
            w.Write(state.PageViews);
            w.Write(state.Events);
            w.Write(state.EntryPage);
            w.Write(state.EntryAt.Ticks);
            w.Write(state.ExitPage);
            w.Write(state.ExitAt.Ticks);
            w.Write(state.Closed);
            w.Write(state.RecentPages.Count);
            foreach (var page in state.RecentPages) w.Write(page);
        }
        return buffer.ToArray();
    }

    /// <summary>Decodes what <see cref="Encode"/> wrote.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a session state this version can read.</exception>
    public static SessionState Decode(byte[] payload)
    {
        using var r = new BinaryReader(new MemoryStream(payload, writable: false), Encoding.UTF8);
        try
        {
            var format = r.ReadByte();
            if (format != FormatV1) throw new InvalidDataException($"Unknown session state format {format}.");
            var state = new SessionState
            {
                Generation = r.ReadInt32(),
                UserId = r.ReadString(),
                StartedAt = Utc(r.ReadInt64()),
                LastActivityAt = Utc(r.ReadInt64()),
                PageViews = r.ReadInt64(),
                Events = r.ReadInt64(),
                EntryPage = r.ReadString(),
                EntryAt = Utc(r.ReadInt64()),
                ExitPage = r.ReadString(),
                ExitAt = Utc(r.ReadInt64()),
                Closed = r.ReadBoolean(),
            };
            var pages = r.ReadInt32();
            if (pages is < 0 or > 10_000) throw new InvalidDataException($"Session state holds {pages} recent pages.");
            for (var i = 0; i < pages; i++) state.RecentPages.Add(r.ReadString());
            return state;
        }
        catch (EndOfStreamException ex)
        {
            throw new InvalidDataException("Session state is truncated.", ex);
        }
    }

    private static DateTime Utc(long ticks) => new(ticks, DateTimeKind.Utc);
}
