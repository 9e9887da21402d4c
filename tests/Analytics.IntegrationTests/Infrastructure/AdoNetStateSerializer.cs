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
        var services = new ServiceCollection();
        services.AddSerializer();
        services.AddOptions<OrleansJsonSerializerOptions>();
        services.AddSingleton<OrleansJsonSerializer>();
        using var provider = services.BuildServiceProvider();
        var serializer = new JsonGrainStorageSerializer(provider.GetRequiredService<OrleansJsonSerializer>());
        return serializer.Deserialize<T>(serializer.Serialize(state))!;
    }
}
