using Huddle.Contracts.Boards;

namespace Huddle.Web.Live;

/// <summary>The events the server sends to hub clients (docs/api.md, "Hub events"); one per feed kind.</summary>
public interface IHuddleClient
{
    /// <summary>A watched board changed; carries the new version.</summary>
    Task BoardChanged(BoardChange change);
}
