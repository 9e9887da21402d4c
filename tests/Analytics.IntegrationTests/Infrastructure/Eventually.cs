namespace Analytics.IntegrationTests.Infrastructure;

/// <summary>Waits for a condition with a deadline (never a fixed sleep as synchronisation).</summary>
public static class Eventually
{
    /// <summary>
    /// Polls <paramref name="probe"/> until it returns true or <paramref name="timeout"/> passes; then fails with
    /// <paramref name="what"/> and the last observation <paramref name="describe"/> gives.
    /// </summary>
    public static async Task WaitAsync(Func<Task<bool>> probe, TimeSpan timeout, string what, Func<Task<string>>? describe = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        Exception? last = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (await probe()) return;
                last = null;
            }
            catch (Exception ex)
            {
                last = ex;
            }
            await Task.Delay(250); // polling interval of the wait, not synchronisation
        }
        var observed = describe is null ? "" : " Last observation: " + await describe();
        throw new TimeoutException($"Timed out after {timeout} waiting for {what}.{observed}", last);
    }
}
