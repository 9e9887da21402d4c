using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;

namespace Analytics.IntegrationTests.Infrastructure;

/// <summary>
/// The serializer the ADO.NET grain storage uses by default (Newtonsoft JSON with type names), which production runs
/// with <c>Silo:Persistence=AdoNet</c>; the TestingHost clusters use memory storage and never exercise it.
/// </summary>
public static class AdoNetStateSerializer
{
    /// <summary>Serializes <paramref name="state"/> as the ADO.NET storage would and reads it back.</summary>
    public static T RoundTrip<T>(T state)
    {
        var serializer = Create();
        return serializer.Deserialize<T>(serializer.Serialize(state))!;
    }

    /// <summary>The JSON grain state serializer Orleans' storages use unless configured otherwise.</summary>
    public static JsonGrainStorageSerializer Create()
    {
        var services = new ServiceCollection();
        services.AddSerializer();
        services.AddOptions<OrleansJsonSerializerOptions>();
        services.AddSingleton<OrleansJsonSerializer>();
        // The serializer keeps what it needs from the provider; it lives as long as the test process.
        var provider = services.BuildServiceProvider();
        return new JsonGrainStorageSerializer(provider.GetRequiredService<OrleansJsonSerializer>());
    }
}
