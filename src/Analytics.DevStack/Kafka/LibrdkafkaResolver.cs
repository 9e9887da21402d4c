using System.Reflection;
using System.Runtime.InteropServices;
using Confluent.Kafka;

namespace Analytics.DevStack.Kafka;

/// <summary>
/// Points our <c>rd_kafka_mock_*</c> imports at the very librdkafka file Confluent.Kafka loaded.
/// Confluent.Kafka tries several bundled builds and keeps the first that loads (on Debian without
/// libsasl2.so.3 that is centos8-librdkafka.so); a second, different copy in the process would have its own
/// globals and could not share handles with the first, so we ask the OS which file is mapped.
/// </summary>
internal static class LibrdkafkaResolver
{
    /// <summary>The library name used in our <c>[LibraryImport]</c> declarations.</summary>
    public const string LibraryName = "librdkafka-as-loaded-by-confluent";

    private static readonly Lock Gate = new();
    private static IntPtr handle;

    public static void Install()
    {
        lock (Gate)
        {
            if (handle != IntPtr.Zero)
            {
                return;
            }

            // Forces Confluent.Kafka to pick and load its native library now.
            _ = Library.VersionString;
            var path = FindMappedLibrdkafka()
                ?? throw new DevStackException("Confluent.Kafka loaded no librdkafka file (not found in /proc/self/maps)");
            handle = NativeLibrary.Load(path);
            Console.Error.WriteLine($"librdkafka {Library.VersionString} from {path}");
            NativeLibrary.SetDllImportResolver(Assembly.GetExecutingAssembly(), Resolve);
        }
    }

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) =>
        libraryName == LibraryName ? handle : IntPtr.Zero;

    /// <summary>Reads the process's memory map: the pathname is the last field of a mapping line.</summary>
    private static string? FindMappedLibrdkafka() =>
        File.ReadLines("/proc/self/maps")
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length >= 6)
            .Select(fields => fields[^1])
            .FirstOrDefault(path => Path.GetFileName(path).EndsWith("librdkafka.so", StringComparison.Ordinal));
}
