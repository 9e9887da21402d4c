namespace Analytics.Persistence.Postgres;

/// <summary>
/// Maps what a batched write statement returned, (request index, new version) for every row it changed, to one
/// outcome per request (pure logic): the new version, or null when the row's version check failed, which fails
/// only that grain's write.
/// </summary>
internal static class WriteOutcomes
{
    /// <summary>One new version per request, null where the request lost its version check.</summary>
    /// <param name="requestCount">Requests in the batch.</param>
    /// <param name="changed">Rows the statement returned: request index and new version.</param>
    public static IReadOnlyList<int?> Map(int requestCount, IEnumerable<(int Index, int Version)> changed)
    {
        var outcomes = new int?[requestCount];
        foreach (var (index, version) in changed)
        {
            if ((uint)index >= (uint)requestCount)
                throw new InvalidOperationException($"The write statement returned request index {index} for a batch of {requestCount}.");
            if (outcomes[index] is not null)
                throw new InvalidOperationException($"The write statement changed the row of request {index} twice.");
            outcomes[index] = version;
        }
        return outcomes;
    }
}
