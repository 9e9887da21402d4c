namespace Analytics.Contracts.Events;

/// <summary>Well-known event type names.</summary>
public static class EventTypes
{
    /// <summary>The event type that counts as a view.</summary>
    public const string PageView = "page_view";
}
