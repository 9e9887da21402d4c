namespace Analytics.Contracts.Sessions;

/// <summary>
/// One grain per session id. It consumes the <c>session</c> stream namespace (implicit subscription), keeps the
/// session's state and writes its row to <c>analytics.sessions</c>.
/// </summary>
public interface ISessionGrain : IGrainWithStringKey
{
    /// <summary>Returns the session's live state, or null if the session has seen no event.</summary>
    Task<SessionLiveState?> GetAsync();
}
