using System.Numerics;
using Analytics.Contracts.Queries;

namespace Analytics.Grains.Queries;

/// <summary>
/// A distinct counter that is exact while small (a short array of hashes) and a HyperLogLog once it passes
/// <see cref="SparseLimit"/> hashes (standard error about 1.04/sqrt(2^precision)). Unions are exact for two
/// sparse sketches and register-wise maxima otherwise. Not thread-safe.
/// </summary>
public sealed class DistinctSketch
{
    /// <summary>Hashes kept exactly before switching to registers.</summary>
    public const int SparseLimit = 64;

    private readonly int _precision;
    private ulong[]? _sparse = new ulong[4];
    private int _sparseCount;
    private byte[]? _registers;

    /// <summary>Creates an empty sketch with 2^<paramref name="precision"/> registers once dense.</summary>
    public DistinctSketch(int precision)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(precision, 4);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(precision, 16);
        _precision = precision;
    }

    /// <summary>Index bits.</summary>
    public int Precision => _precision;

    /// <summary>Whether the count is exact (still sparse).</summary>
    public bool IsExact => _registers is null;

    /// <summary>Adds a 64-bit hash of an item (mixed again here, so any stable hash will do).</summary>
    public void Add(ulong hash) => AddMixed(Mix(hash));

    /// <summary>Adds every item of <paramref name="other"/> (same precision).</summary>
    public void UnionWith(DistinctSketch other) => UnionWith(other.ToData());

    /// <summary>Adds every item of a sketch received on the wire (same precision; others are ignored).</summary>
    public void UnionWith(SketchData other)
    {
        if (other.Precision != _precision) return;
        if (other.Registers is { } registers)
        {
            if (_registers is null) Densify();
            for (var i = 0; i < _registers!.Length && i < registers.Length; i++)
            {
                if (registers[i] > _registers[i]) _registers[i] = registers[i];
            }
            return;
        }
        foreach (var mixed in other.Hashes ?? [])
        {
            AddMixed(mixed);
        }
    }

    /// <summary>The distinct count: exact while sparse, else the HyperLogLog estimate.</summary>
    public long Estimate()
    {
        if (_registers is null) return _sparseCount;
        var m = _registers.Length;
        double sum = 0;
        var zeros = 0;
        foreach (var r in _registers)
        {
            sum += Math.ScaleB(1.0, -r);
            if (r == 0) zeros++;
        }
        var alpha = m switch { 16 => 0.673, 32 => 0.697, 64 => 0.709, _ => 0.7213 / (1 + 1.079 / m) };
        var estimate = alpha * m * m / sum;
        if (estimate <= 2.5 * m && zeros > 0) estimate = m * Math.Log((double)m / zeros);
        return (long)Math.Round(estimate);
    }

    /// <summary>A copy for the wire.</summary>
    public SketchData ToData() => _registers is not null
        ? new SketchData { Precision = _precision, Registers = (byte[])_registers.Clone() }
        : new SketchData { Precision = _precision, Hashes = _sparse![.._sparseCount] };

    /// <summary>The estimate of a sketch received on the wire.</summary>
    public static long Estimate(SketchData data)
    {
        var sketch = new DistinctSketch(data.Precision);
        sketch.UnionWith(data);
        return sketch.Estimate();
    }

    private void AddMixed(ulong mixed)
    {
        if (_registers is not null)
        {
            AddToRegisters(_registers, _precision, mixed);
            return;
        }
        if (Array.IndexOf(_sparse!, mixed, 0, _sparseCount) >= 0) return;
        if (_sparseCount == SparseLimit)
        {
            Densify();
            AddToRegisters(_registers!, _precision, mixed);
            return;
        }
        if (_sparseCount == _sparse!.Length) Array.Resize(ref _sparse, Math.Min(SparseLimit, _sparse.Length * 2));
        _sparse[_sparseCount++] = mixed;
    }

    private void Densify()
    {
        var registers = new byte[1 << _precision];
        for (var i = 0; i < _sparseCount; i++) AddToRegisters(registers, _precision, _sparse![i]);
        _registers = registers;
        _sparse = null;
        _sparseCount = 0;
    }

    private static void AddToRegisters(byte[] registers, int precision, ulong mixed)
    {
        var index = (int)(mixed >> (64 - precision));
        var rest = mixed << precision;
        var rank = (byte)(rest == 0 ? 64 - precision + 1 : BitOperations.LeadingZeroCount(rest) + 1);
        if (rank > registers[index]) registers[index] = rank;
    }

    // MurmurHash3's 64-bit finaliser: spreads any input hash evenly over all 64 bits.
    private static ulong Mix(ulong h)
    {
        h ^= h >> 33;
        h *= 0xff51afd7ed558ccdUL;
        h ^= h >> 33;
        h *= 0xc4ceb9fe1a85ec53UL;
        h ^= h >> 33;
        return h;
    }
}
