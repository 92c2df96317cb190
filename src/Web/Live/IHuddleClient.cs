
using Huddle.Contracts.Boards;

namespace Huddle.Web.Live;

/// <summary>The events the server sends to hub clients (docs/api.md, "Hub events").</summary>
public interface IHuddleClient
{
    /// <summary>A subscribed board changed; carries the new version.</summary>
    Task BoardChanged(BoardChange change);
}

/// <summary>SignalR group names, so hub and relay agree on them.</summary>
public static class HuddleGroups
{
    /// <summary>Members of a team: full board changes.</summary>
    public static string Board(string teamId) => $"board:{teamId}";

    /// <summary>Room displays of a team: privacy-filtered changes.</summary>
    public static string Screen(string teamId) => $"screen:{teamId}";
}
