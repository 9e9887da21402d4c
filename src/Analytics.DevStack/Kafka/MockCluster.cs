using System.Net;
using System.Runtime.InteropServices;

namespace Analytics.DevStack.Kafka;

/// <summary>
/// librdkafka's in-memory mock Kafka cluster, owned by a private producer handle. All data lives in this
/// process and is gone when it exits.
/// </summary>
internal sealed class MockCluster : IDisposable
{
    private IntPtr rk;
    private IntPtr mcluster;

    private MockCluster(IntPtr rk, IntPtr mcluster, IReadOnlyList<IPEndPoint> brokerListeners)
    {
        this.rk = rk;
        this.mcluster = mcluster;
        BrokerListeners = brokerListeners;
    }

    /// <summary>The real listener of broker id i+1 at index i.</summary>
    public IReadOnlyList<IPEndPoint> BrokerListeners { get; }

    public static MockCluster Create(int brokerCount)
    {
        LibrdkafkaResolver.Install();
        var rk = NewHandle();
        var mcluster = RdKafkaNative.MockClusterNew(rk, brokerCount);
        if (mcluster == IntPtr.Zero)
        {
            RdKafkaNative.Destroy(rk);
            throw new DevStackException("rd_kafka_mock_cluster_new failed (see librdkafka log above)");
        }

        var bootstraps = Marshal.PtrToStringUTF8(RdKafkaNative.MockClusterBootstraps(mcluster)) ?? string.Empty;
        var listeners = bootstraps.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(IPEndPoint.Parse).ToList();
        return new MockCluster(rk, mcluster, listeners);
    }

    public void CreateTopic(string topic, int partitions)
    {
        var err = RdKafkaNative.MockTopicCreate(mcluster, topic, partitions, 1);
        if (err != 0)
        {
            throw new DevStackException($"creating topic '{topic}' failed: {RdKafkaNative.ErrorText(err)}");
        }
    }

    /// <summary>The mock waits 3 s before the first classic-group rebalance by default; tests want 0.</summary>
    public void SetInitialRebalanceDelay(TimeSpan delay) =>
        RdKafkaNative.MockGroupInitialRebalanceDelayMs(mcluster, (int)delay.TotalMilliseconds);

    public void Advertise(int brokerId, IPEndPoint endpoint) =>
        RdKafkaNative.MockBrokerSetHostPort(mcluster, brokerId, endpoint.Address.ToString(), endpoint.Port);

    public void Dispose()
    {
        if (mcluster != IntPtr.Zero)
        {
            RdKafkaNative.MockClusterDestroy(mcluster);
            mcluster = IntPtr.Zero;
        }

        if (rk != IntPtr.Zero)
        {
            RdKafkaNative.Destroy(rk);
            rk = IntPtr.Zero;
        }
    }

    private static unsafe IntPtr NewHandle()
    {
        const int errSize = 512;
        var err = stackalloc byte[errSize];
        var conf = RdKafkaNative.ConfNew();

        // Only warnings and errors from the mock's own handle reach stderr.
        if (RdKafkaNative.ConfSet(conf, "log_level", "4", err, errSize) != RdKafkaNative.ConfOk)
        {
            RdKafkaNative.ConfDestroy(conf);
            throw new DevStackException($"rd_kafka_conf_set failed: {Text(err)}");
        }

        var rk = RdKafkaNative.New(RdKafkaNative.ProducerType, conf, err, errSize);
        if (rk == IntPtr.Zero)
        {
            RdKafkaNative.ConfDestroy(conf);
            throw new DevStackException($"rd_kafka_new failed: {Text(err)}");
        }

        return rk;
    }

    private static unsafe string Text(byte* buffer) => Marshal.PtrToStringUTF8((IntPtr)buffer) ?? string.Empty;
}
