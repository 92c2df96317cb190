namespace Huddle.Contracts.Live;

/// <summary>
/// Who a change is for. A feed sends each change once per audience, shaped for it (a room display
/// gets the privacy-filtered change), and every watcher is in exactly one audience of a feed.
/// </summary>
public static class FeedAudiences
{
    /// <summary>Clinicians on the owning team's roster: the full change.</summary>
    public const string Members = "members";

    /// <summary>The team's room displays (and members watching the wall view): privacy-filtered.</summary>
    public const string Displays = "displays";

    /// <summary>One user alone (a clinician's handoff inbox).</summary>
    public static string User(string userId) => $"user:{userId}";
}
