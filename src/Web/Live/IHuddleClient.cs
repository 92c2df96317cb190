using Huddle.Contracts.Boards;
using Huddle.Contracts.Chat;
using Huddle.Contracts.Handoffs;
using Huddle.Contracts.Presence;
using Huddle.Contracts.Registry;

namespace Huddle.Web.Live;

/// <summary>The events the server sends to hub clients (docs/api.md, "Hub events"); one per feed kind.</summary>
public interface IHuddleClient
{
    /// <summary>A watched board changed; carries the new version.</summary>
    Task BoardChanged(BoardChange change);

    /// <summary>The user's handoff inbox changed: a ping, or a handoff they are part of moved on; carries the inbox's seq.</summary>
    Task HandoffInboxChanged(InboxChange change);

    /// <summary>A watched team's open handoffs changed; carries the feed's seq.</summary>
    Task TeamHandoffsChanged(TeamHandoffsChange change);

    /// <summary>A member of a watched team changed presence; carries the roster feed's seq.</summary>
    Task TeamPresenceChanged(TeamPresenceChange change);

    /// <summary>A watched chat thread has a new message; carries its seq (the thread's).</summary>
    Task ThreadChanged(ThreadChange change);

    /// <summary>The user's unread counts changed; carries the feed's seq, the changed threads and the total.</summary>
    Task UnreadChanged(UnreadChange change);

    /// <summary>A watched thread's members' cursors changed; carries the receipts feed's seq and the whole table.</summary>
    Task ReceiptsChanged(ThreadReceipts change);

    /// <summary>A watched team's registry changed: a patient's entry as it now is, or their leaving; carries the feed's seq.</summary>
    Task RegistryChanged(RegistryChange change);

    /// <summary>A watched patient's care changed: the whole view (care and flags) as it now is, or a reset; carries the feed's seq.</summary>
    Task PatientCareChanged(PatientCareChange change);
}
