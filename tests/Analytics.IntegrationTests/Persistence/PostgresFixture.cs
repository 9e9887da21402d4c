using Analytics.IntegrationTests.Infrastructure;
using Xunit;

namespace Analytics.IntegrationTests.Persistence;

/// <summary>One private PostgreSQL server for a test class; every test makes its own database.</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    public PostgresServerProcess Server { get; private set; } = null!;

    /// <summary>Creates a database with a unique name and returns its connection string.</summary>
    public Task<string> CreateUniqueDatabaseAsync(string prefix) =>
        Server.CreateDatabaseAsync($"{prefix}_{Guid.NewGuid():N}"[..(prefix.Length + 13)]);

    public async Task InitializeAsync() => Server = await PostgresServerProcess.StartAsync();

    public async Task DisposeAsync()
    {
        if (Server is not null) await Server.DisposeAsync();
    }
}
