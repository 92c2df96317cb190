namespace Huddle.Web.Live;

/// <summary>One watcher of a feed on this host, as the relay's registry lists it.</summary>
/// <param name="ConnectionId">The hub connection, or null for a component on this host.</param>
/// <param name="UserId">Who watches.</param>
/// <param name="Audience">The audience they receive.</param>
public sealed record FeedWatcher(string? ConnectionId, string UserId, string Audience);
