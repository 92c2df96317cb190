using System.Collections.Immutable;
using Huddle.Contracts.CareTeams;

namespace Huddle.Contracts.Chat;

/// <summary>The bounds of mentions, roles and acknowledgement requests (docs/api.md, "Mentions, roles and acknowledgement requests").</summary>
public static class AckLimits
{
    /// <summary>The most mentions (clinicians and roles together, the addressed role included) one message carries.</summary>
    public const int MaxMentions = 10;

    /// <summary>
    /// The most acknowledgement requests a thread holds open at once: each is re-notified from the thread's
    /// row, so the row stays small. A send over it is refused (<c>limit_exceeded</c>) until one closes.
    /// </summary>
    public const int MaxOpen = 20;

    /// <summary>The most closed requests a thread's row keeps, newest first, so a late second acknowledgement still gets its first reply.</summary>
    public const int KeepClosed = 20;

    /// <summary>The sender recorded on entries nobody wrote (<see cref="ThreadEntryKind.AckUnanswered"/>).</summary>
    public const string System = "system";
}

/// <summary>
/// A role on a team: a role mention, or the addressee of a message to a role ("the BHC on duty").
/// <see cref="TeamId"/> may be left out in a team's thread (it is that team); in a patient's thread it
/// names one of the patient's care teams.
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.role-on-team")]
public sealed record RoleOnTeam(
    [property: Id(0)] CareTeamRole Role,
    [property: Id(1)] string? TeamId = null);

/// <summary>Whom a role (a mention or the addressee) reached at send time: the members the handoff routing picked then.</summary>
[GenerateSerializer, Immutable, Alias("huddle.role-reach")]
public sealed record RoleReach(
    [property: Id(0)] RoleOnTeam Role,
    [property: Id(1)] ImmutableArray<string> UserIds);

/// <summary>
/// What a stored message asked for, and whom it reached: the mentions and roles as sent (each role's team
/// filled in), whom each role resolved to, and its <see cref="Recipients"/> — everyone it notified by
/// name, and when <see cref="AckRequested"/>, everyone asked to acknowledge (the named ones, or, when it
/// named nobody, every member of the thread but the sender).
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.message-ask")]
public sealed record MessageAsk(
    [property: Id(0)] bool AckRequested,
    [property: Id(1)] ImmutableArray<string> Mentions,
    [property: Id(2)] ImmutableArray<RoleOnTeam> RoleMentions,
    [property: Id(3)] RoleOnTeam? ToRole,
    [property: Id(4)] ImmutableArray<RoleReach> Reached,
    [property: Id(5)] ImmutableArray<string> Recipients);

/// <summary>
/// Who an acknowledgement request waits for (docs/api.md, "Acknowledgement requests"): each clinician asked
/// by name once, and each role asked once — the first acknowledgement of any clinician the role reached
/// answers it. A request that names no role asks each of its recipients.
/// </summary>
public static class AckTally
{
    /// <summary>
    /// The count for a request to <paramref name="recipients"/> (everyone asked so far), with
    /// <paramref name="mentions"/> asked by name and <paramref name="roles"/> (whom each role reached so far),
    /// given who has acknowledged.
    /// </summary>
    public static AckCount Count(ImmutableArray<string> recipients, ImmutableArray<string> mentions, ImmutableArray<RoleReach> roles, IEnumerable<string> acknowledged)
    {
        ArgumentNullException.ThrowIfNull(acknowledged);
        var acked = acknowledged.ToHashSet(StringComparer.Ordinal);
        var all = recipients.IsDefault ? [] : recipients;
        var slots = roles.IsDefault ? [] : roles;
        var named = mentions.IsDefault ? [] : mentions;
        var individuals = slots.IsEmpty ? all : [.. all.Where(named.Contains)];
        var open = slots.Where(r => !r.UserIds.Any(acked.Contains)).ToList();
        var waiting = individuals.Where(u => !acked.Contains(u)).Concat(open.SelectMany(r => r.UserIds)).Distinct(StringComparer.Ordinal).ToImmutableArray();
        return new AckCount(individuals.Count(acked.Contains) + slots.Length - open.Count, individuals.Length + slots.Length, waiting);
    }

    /// <summary>The count for a stored message's <paramref name="ask"/>.</summary>
    public static AckCount Count(MessageAsk ask, IEnumerable<string> acknowledged)
    {
        ArgumentNullException.ThrowIfNull(ask);
        return Count(ask.Recipients, ask.Mentions, ask.Reached, acknowledged);
    }

    /// <summary><paramref name="ask"/> with the clinicians <paramref name="rerouted"/> (an <see cref="ThreadEntryKind.AckRerouted"/> entry's ask) added to their roles.</summary>
    public static MessageAsk Merge(MessageAsk ask, MessageAsk rerouted)
    {
        ArgumentNullException.ThrowIfNull(ask);
        ArgumentNullException.ThrowIfNull(rerouted);
        return ask with { Reached = Add(ask.Reached, rerouted.Reached), Recipients = [.. ask.Recipients.Union(rerouted.Recipients, StringComparer.Ordinal)] };
    }

    /// <summary><paramref name="roles"/> with the clinicians of <paramref name="added"/> joined to the same roles' (a role not among them is ignored).</summary>
    public static ImmutableArray<RoleReach> Add(ImmutableArray<RoleReach> roles, IEnumerable<RoleReach> added)
    {
        ArgumentNullException.ThrowIfNull(added);
        var more = added.ToList();
        return [.. (roles.IsDefault ? [] : roles).Select(r => more.FirstOrDefault(a => a.Role == r.Role) is { } a
            ? r with { UserIds = [.. r.UserIds.Union(a.UserIds, StringComparer.Ordinal)] }
            : r)];
    }
}

/// <summary>
/// How far an acknowledgement request got: <see cref="Acked"/> of <see cref="Asked"/> (clinicians by name and
/// roles, each once) answered, and the clinicians still <see cref="Waiting"/> (every holder a role reached while
/// the role is unanswered).
/// </summary>
public sealed record AckCount(int Acked, int Asked, ImmutableArray<string> Waiting);

/// <summary>What a chat notification is about.</summary>
public enum ChatNoticeKind
{
    /// <summary>The recipient was mentioned by name or by role.</summary>
    Mention,

    /// <summary>A message to a role the recipient holds and was routed to.</summary>
    RoleMessage,

    /// <summary>An urgent message in a thread of the recipient.</summary>
    Urgent,

    /// <summary>A message asks the recipient to acknowledge it.</summary>
    AckRequested,

    /// <summary>A re-notification of an acknowledgement request the recipient has not answered.</summary>
    AckReminder,

    /// <summary>To the sender: the re-notifications ran out and some recipients have not acknowledged.</summary>
    AckUnanswered,
}

/// <summary>
/// A chat notification, delivered through a clinician's inbox like a handoff ping (the inbox feed's
/// <c>InboxChange.Chat</c>, hinted to their screens straight after the thread's write). It says what
/// happened and where — never the patient, the sender or the message text ("Urgent message — team
/// Maple — open Huddle"); the message itself loads when the thread is opened, with its access checks.
/// (<see cref="ThreadId"/>, <see cref="Seq"/>, <see cref="Kind"/>, <see cref="Round"/>) identifies it: a
/// notification delivered twice is shown once.
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.chat-notice")]
public sealed record ChatNotice(
    [property: Id(0)] string ThreadId,
    [property: Id(1)] long Seq,
    [property: Id(2)] ChatNoticeKind Kind,
    [property: Id(3)] int Round,
    [property: Id(4)] string Text,
    [property: Id(5)] DateTimeOffset At)
{
    /// <summary>The notification's identity, the same however often it is delivered.</summary>
    public string Key => $"{ThreadId}#{Seq}#{Kind}#{Round}";
}

/// <summary>The PHI-free words of chat notifications: what happened and where, nothing a lock screen must not show.</summary>
public static class ChatNotices
{
    /// <summary>Where a thread is, in words that name no patient: "team Maple", "a patient's thread", "a direct message".</summary>
    public static string Where(ThreadKind kind, string? teamName) => kind switch
    {
        ThreadKind.Team => $"team {teamName ?? "chat"}",
        ThreadKind.Patient => "patient thread",
        _ => "direct message",
    };

    /// <summary>The text of a notification of <paramref name="kind"/> in a thread <paramref name="where"/>.</summary>
    public static string Text(ChatNoticeKind kind, string where, bool urgent = false, CareTeamRole? role = null, int round = 0, int rounds = 0, int waiting = 0, int asked = 0)
    {
        var what = kind switch
        {
            ChatNoticeKind.Mention => urgent ? "Urgent: you were mentioned" : "You were mentioned",
            ChatNoticeKind.RoleMessage => $"{(urgent ? "Urgent message" : "Message")} to the {RoleWord(role)} on duty",
            ChatNoticeKind.Urgent => "Urgent message",
            ChatNoticeKind.AckRequested => urgent ? "Urgent: acknowledgement requested" : "Acknowledgement requested",
            ChatNoticeKind.AckReminder => $"Reminder {round} of {rounds}: acknowledgement requested",
            _ => $"Not acknowledged by {waiting} of {asked}",
        };
        return $"{what} — {where} — open Huddle";
    }

    /// <summary>A role as clinicians say it ("BHC", "care manager").</summary>
    public static string RoleWord(CareTeamRole? role) => role switch
    {
        CareTeamRole.Pcp => "PCP",
        CareTeamRole.Bhc => "BHC",
        CareTeamRole.CareManager => "care manager",
        CareTeamRole.ConsultingPsychiatrist => "consulting psychiatrist",
        CareTeamRole.Nurse => "nurse",
        CareTeamRole.MedicalAssistant => "medical assistant",
        CareTeamRole.SocialWorker => "social worker",
        CareTeamRole.Pharmacist => "pharmacist",
        CareTeamRole.FrontDesk => "front desk",
        _ => "team member",
    };
}
