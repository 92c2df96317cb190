namespace Huddle.Web.Live;

/// <summary>A hub connection asking to watch a feed.</summary>
/// <param name="ConnectionId">SignalR's connection id.</param>
/// <param name="UserId">The signed-in user.</param>
/// <param name="Aborted">Fires when the connection ends; everything it watches is then closed.</param>
public sealed record HubWatcher(string ConnectionId, string UserId, CancellationToken Aborted);
