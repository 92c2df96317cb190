namespace Huddle.Contracts.Handoffs;

/// <summary>
/// The escalation ladder every handoff climbs while nobody accepts, one step per target time of its
/// priority (TigerConnect's role escalation is the model). A step with nobody to ping is skipped at once.
/// </summary>
public static class EscalationSteps
{
    /// <summary>Not started: the request is being routed.</summary>
    public const int None = -1;

    /// <summary>The named clinician, or the first available role member (all of them with "ping all at once").</summary>
    public const int Targets = 0;

    /// <summary>The team's backup 1.</summary>
    public const int Backup1 = 1;

    /// <summary>The team's backup 2, or, without one, every available member of the role.</summary>
    public const int Backup2OrRole = 2;

    /// <summary>"No response": the handoff failed, the requester is told and offered a referral.</summary>
    public const int NoResponse = 3;

    /// <summary>
    /// The detail (<see cref="HandoffEvent.Detail"/>) of a ping or skip at <see cref="Targets"/>; the later steps'
    /// details name the backup ("backup 1", "backup 2", "the whole role"). Part of the API (the history).
    /// </summary>
    public const string TargetsDetail = "target";
}
