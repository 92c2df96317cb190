using System.Collections.Frozen;
using System.Text;
using Huddle.Contracts.Audit;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Users;

namespace Huddle.Web.Audit;

/// <summary>
/// An audit record's action as a privacy officer reads it: "Put B. Okafor on the team as Behavioral health
/// consultant" for <c>CareTeam.Administer</c> with ref <c>setMember/u-okafor/bhc</c>, "Changed a board: move
/// card" for <c>CareTeam.Execute</c> with ref <c>moveCard</c>. The record keeps the code name (the page shows
/// it beside the words, the CSV and API only it): every action the silo can record has words here
/// (<c>AuditWordsTests</c> walks the audited methods).
/// </summary>
public static class AuditWords
{
    /// <summary>Each action's words: the silo's grain methods (<c>Type.Method</c>) and the web host's own records.</summary>
    internal static readonly FrozenDictionary<string, string> Actions = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["AuditLog.Read"] = "Read the audit trail",
        ["CareTeam.Administer"] = "Changed a team",
        ["CareTeam.Execute"] = "Changed a board",
        ["CareTeam.GetAccess"] = "Checked access to a team",
        ["CareTeam.GetBoard"] = "Read a board",
        ["CareTeam.GetHistory"] = "Read a board's history",
        ["EmergencyAccess.Active"] = "Checked emergency access",
        ["EmergencyAccess.Get"] = "Read an emergency access and its reason",
        ["EmergencyAccess.Grant"] = "Took emergency access",
        ["EmergencyAccess.Review"] = "Reviewed an emergency access",
        ["Feed.Open"] = "Opened a live view",
        ["Handoff.Execute"] = "Acted on a warm handoff",
        ["Handoff.Open"] = "Opened a warm handoff",
        ["Handoff.Request"] = "Requested a warm handoff",
        ["Panel.GetPage"] = "Read a team's patient list",
        ["Patient.Care"] = "Changed a patient's measurement-based care",
        ["Patient.GetCare"] = "Read a patient's measurement-based care",
        ["Patient.GetHandoffs"] = "Read a patient's warm handoffs",
        ["Patient.GetMeasurements"] = "Read a patient's measurements",
        ["Presence.Get"] = "Read a clinician's status",
        ["Registry.Episodes"] = "Read a team's registry episodes",
        ["Registry.Get"] = "Read a team's registry",
        ["Smart.Launch"] = "Opened Huddle from the EHR (SMART launch)",
        ["TeamHandoffs.GetMetrics"] = "Read a team's handoff metrics",
        ["TeamHandoffs.SetPolicy"] = "Changed a team's handoff routing",
        ["Thread.Acknowledge"] = "Acknowledged a message",
        ["Thread.CheckCursor"] = "Synced a chat thread",
        ["Thread.Delete"] = "Deleted a message",
        ["Thread.Describe"] = "Read a chat thread's members",
        ["Thread.Edit"] = "Edited a message",
        ["Thread.HeadFor"] = "Read a chat thread's unread count",
        ["Thread.ReadBefore"] = "Read earlier messages",
        ["Thread.ReadEdits"] = "Read a message's earlier versions",
        ["Thread.Send"] = "Sent a message",
        ["Thread.StartDirect"] = "Started a direct message",
        ["User.Administer"] = "Created or changed a user",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The kinds of record, as the page names them (the grain type a record's target is).</summary>
    internal static readonly FrozenDictionary<string, string> Kinds = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["careteam"] = "team",
        ["dayauditlog"] = "audit trail",
        ["emergencyaccess"] = "emergency access",
        ["endpoint"] = "web address",
        ["handoff"] = "warm handoff",
        ["handofffeed"] = "handoffs feed",
        ["inbox"] = "inbox",
        ["panel"] = "patient list",
        ["patient"] = "patient",
        ["patientauditlog"] = "patient's audit trail",
        ["presence"] = "status",
        ["registry"] = "registry",
        ["teamhandoffs"] = "team's handoffs",
        ["teampresence"] = "team's status",
        ["thread"] = "chat",
        ["threadlist"] = "chat list",
        ["user"] = "user",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>A record's kind in words ("chat list" for <c>threadlist</c>); an unknown kind as it is.</summary>
    public static string Kind(string kind) => Kinds.GetValueOrDefault(kind) ?? kind;

    /// <summary>An action's words without its record's detail (the access report's "What"); the code name when it has none.</summary>
    public static string Action(string action) => Actions.GetValueOrDefault(action) ?? action;

    /// <summary>The user a record's ref names (a team change's member or display), to be looked up with the record's user.</summary>
    public static string? UserIn(AuditRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return record.Action == "CareTeam.Administer" && record.Ref?.Split('/') is [not "settings", var user, ..] ? user : null;
    }

    /// <summary>The record's action in words, <paramref name="name"/> naming a user id.</summary>
    public static string Of(AuditRecord record, Func<string, string> name)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(name);
        var parts = record.Ref?.Split('/') ?? [];
        var said = (record.Action, parts) switch
        {
            ("CareTeam.Administer", ["setMember", var user, var role]) => $"Put {name(user)} on the team as {Role(role)}",
            ("CareTeam.Administer", ["setMember", var user]) => $"Put {name(user)} on the team",
            ("CareTeam.Administer", ["removeMember", var user]) => $"Took {name(user)} off the team",
            ("CareTeam.Administer", ["addDisplay", var user]) => $"Added the room display {name(user)} to the team",
            ("CareTeam.Administer", ["removeDisplay", var user]) => $"Took the room display {name(user)} off the team",
            ("CareTeam.Administer", ["settings", "created"]) => "Created the team",
            ("CareTeam.Administer", ["settings", "unchanged"]) => "Saved the team's settings unchanged",
            ("CareTeam.Administer", ["settings", var changed]) => $"Changed the team's {Settings(changed)}",
            ("CareTeam.Administer", ["settings"]) => "Changed the team's settings",
            ("User.Administer", ["created", var kind]) => $"Created the user as {UserKindWords(kind)}",
            ("User.Administer", ["changed", "nothing"]) => "Saved the user unchanged",
            ("User.Administer", ["changed", var changed]) => $"Changed the user's {Settings(changed)}",
            _ => null,
        };
        if (said is not null)
        {
            return said;
        }

        // The web host's own refusal of an address: its method and route ("GET /api/admin/audit").
        if (record.Action.Split(' ') is [var method, ['/', ..] route] && method.All(char.IsAsciiLetterUpper))
        {
            return $"Asked for {route}";
        }

        var words = Action(record.Action);
        return record.Ref switch
        {
            null or "" => words,
            // An emergency access's number.
            var number when number.All(char.IsAsciiDigit) => $"{words} #{number}",
            var op => $"{words}: {Spaced(op)}",
        };
    }

    private static string Role(string role) =>
        Enum.TryParse<CareTeamRole>(role, ignoreCase: true, out var parsed) ? Layout.RoleLabels.Of(parsed).ToLowerInvariant() : role;

    private static string UserKindWords(string kind) => Enum.TryParse<UserKind>(kind, ignoreCase: true, out var parsed)
        ? parsed switch
        {
            UserKind.Clinician => "a clinician",
            UserKind.RoomDisplay => "a room display",
            UserKind.Administrator => "an administrator",
            _ => kind,
        }
        : kind;

    /// <summary><c>name,timeZone,status=suspended</c> → "name, time zone and status (now suspended)".</summary>
    private static string Settings(string changed)
    {
        var said = changed.Split(',').Select(setting => setting.Split('=') switch
        {
            ["kind", var kind] => $"kind (now {UserKindWords(kind)})",
            [var key, var value] => $"{Spaced(key)} (now {Spaced(value)})",
            [var key] => Spaced(key),
            _ => setting,
        }).ToList();
        return said.Count == 1 ? said[0] : $"{string.Join(", ", said[..^1])} and {said[^1]}";
    }

    /// <summary>A code name in words: <c>recordMeasurement</c> → "record measurement".</summary>
    internal static string Spaced(string code)
    {
        var text = new StringBuilder(code.Length + 4);
        foreach (var c in code)
        {
            if (char.IsUpper(c) && text.Length > 0)
            {
                text.Append(' ');
            }

            text.Append(char.ToLowerInvariant(c));
        }

        return text.ToString();
    }
}
