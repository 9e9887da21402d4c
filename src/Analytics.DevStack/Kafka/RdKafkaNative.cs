using System.Runtime.InteropServices;

namespace Analytics.DevStack.Kafka;

/// <summary>
/// The few librdkafka C functions needed to run its mock cluster. The mock API is experimental upstream
/// (no ABI guarantee), which is why it lives only in this dev tool. Call <see cref="LibrdkafkaResolver.Install"/> first.
/// </summary>
internal static partial class RdKafkaNative
{
    public const int ProducerType = 0; // RD_KAFKA_PRODUCER
    public const int ConfOk = 0;       // RD_KAFKA_CONF_OK

    [LibraryImport(LibrdkafkaResolver.LibraryName, EntryPoint = "rd_kafka_conf_new")]
    public static partial IntPtr ConfNew();

    [LibraryImport(LibrdkafkaResolver.LibraryName, EntryPoint = "rd_kafka_conf_destroy")]
    public static partial void ConfDestroy(IntPtr conf);

    [LibraryImport(LibrdkafkaResolver.LibraryName, EntryPoint = "rd_kafka_conf_set", StringMarshalling = StringMarshalling.Utf8)]
    public static unsafe partial int ConfSet(IntPtr conf, string name, string value, byte* errstr, nuint errstrSize);

    /// <summary>On success the handle owns <paramref name="conf"/>.</summary>
    [LibraryImport(LibrdkafkaResolver.LibraryName, EntryPoint = "rd_kafka_new")]
    public static unsafe partial IntPtr New(int type, IntPtr conf, byte* errstr, nuint errstrSize);

    [LibraryImport(LibrdkafkaResolver.LibraryName, EntryPoint = "rd_kafka_destroy")]
    public static partial void Destroy(IntPtr rk);

    [LibraryImport(LibrdkafkaResolver.LibraryName, EntryPoint = "rd_kafka_err2str")]
    public static partial IntPtr ErrorToString(int err);

    [LibraryImport(LibrdkafkaResolver.LibraryName, EntryPoint = "rd_kafka_mock_cluster_new")]
    public static partial IntPtr MockClusterNew(IntPtr rk, int brokerCount);

    [LibraryImport(LibrdkafkaResolver.LibraryName, EntryPoint = "rd_kafka_mock_cluster_destroy")]
    public static partial void MockClusterDestroy(IntPtr mcluster);

    /// <summary>"host:port,host:port" of the brokers' real listeners, in broker id order (ids start at 1).</summary>
    [LibraryImport(LibrdkafkaResolver.LibraryName, EntryPoint = "rd_kafka_mock_cluster_bootstraps")]
    public static partial IntPtr MockClusterBootstraps(IntPtr mcluster);

    [LibraryImport(LibrdkafkaResolver.LibraryName, EntryPoint = "rd_kafka_mock_topic_create", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int MockTopicCreate(IntPtr mcluster, string topic, int partitionCount, int replicationFactor);

    [LibraryImport(LibrdkafkaResolver.LibraryName, EntryPoint = "rd_kafka_mock_group_initial_rebalance_delay_ms")]
    public static partial void MockGroupInitialRebalanceDelayMs(IntPtr mcluster, int delayMs);

    /// <summary>Changes only what Metadata advertises for the broker; its listener stays where it is.</summary>
    [LibraryImport(LibrdkafkaResolver.LibraryName, EntryPoint = "rd_kafka_mock_broker_set_host_port", StringMarshalling = StringMarshalling.Utf8)]
    public static partial void MockBrokerSetHostPort(IntPtr mcluster, int brokerId, string host, int port);

    public static string ErrorText(int err) => Marshal.PtrToStringUTF8(ErrorToString(err)) ?? $"error {err}";
}
