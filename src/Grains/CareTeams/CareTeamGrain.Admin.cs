using System.Collections.Immutable;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Common;
using Huddle.Contracts.Users;
using Huddle.Grains.Common;
using Microsoft.Extensions.Logging;

namespace Huddle.Grains.CareTeams;

/// <summary>
/// An administrator's changes of the team: each checked (the actor's kind at this call, the users it
/// names and their kind, the bounds), then stored and applied like any profile change.
/// </summary>
public sealed partial class CareTeamGrain
{
    public async Task<Result<CareTeamProfile>> AdministerAsync(string actorId, TeamAdminCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        AuditNote.Ref(command.UserId is { } user ? $"{OpName(command.Op)}/{user}" : OpName(command.Op));
        if (await GrainFactory.Grain<IUserGrain>(actorId).GetAsync() is not { Kind: UserKind.Administrator })
        {
            return HuddleError.Forbidden("Only administrators can change care teams.");
        }

        if (!Ids.IsValid(TeamId))
        {
            return HuddleError.InvalidId("A team id");
        }

        var current = state.State.Profile;
        var next = command.Op switch
        {
            TeamAdminOp.Settings => await SettingsAsync(current, command),
            _ when current is null => HuddleError.NotFound("Team", TeamId),
            TeamAdminOp.SetMember => await SetMemberAsync(current, command),
            TeamAdminOp.RemoveMember => current.Members.Any(m => m.UserId == command.UserId)
                ? current with { Members = current.Members.RemoveAll(m => m.UserId == command.UserId) }
                : HuddleError.NotFound("Member", command.UserId ?? ""),
            TeamAdminOp.AddDisplay => await AddDisplayAsync(current, command),
            TeamAdminOp.RemoveDisplay => current.DisplayIds.Contains(command.UserId ?? "")
                ? current with { DisplayIds = current.DisplayIds.Remove(command.UserId!) }
                : HuddleError.NotFound("Room display", command.UserId ?? ""),
            _ => HuddleError.Invalid("An administrator's team change is settings, setMember, removeMember, addDisplay or removeDisplay."),
        };
        if (next.Value is not { } changed)
        {
            LogAdminRejected(TeamId, OpName(command.Op), next.Error!.Code);
            return next;
        }

        AuditNote.Ref(AdminRef(command, current, changed));
        if (current is not null && SameProfile(current, changed))
        {
            return current;
        }

        await SetProfileAsync(changed);
        LogAdministered(TeamId, OpName(command.Op));
        return changed;
    }

    private async Task<Result<CareTeamProfile>> SettingsAsync(CareTeamProfile? current, TeamAdminCommand command)
    {
        var name = command.Name?.Trim() ?? current?.Name;
        if (name is not { Length: > 0 and <= TeamAdminCommand.MaxNameLength })
        {
            return HuddleError.Invalid($"A team's name is 1-{TeamAdminCommand.MaxNameLength} characters.");
        }

        var zone = command.TimeZoneId?.Trim() ?? current?.TimeZoneId ?? "UTC";
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _))
        {
            return HuddleError.Invalid($"Time zone '{zone}' is not known on this server (an IANA name such as America/Chicago).");
        }

        var status = command.Status ?? current?.Status ?? CareTeamStatus.Active;
        if (!Enum.IsDefined(status))
        {
            return HuddleError.Invalid("A team's status is proposed, active, suspended or inactive.");
        }

        if (current is null && await GrainFactory.Grain<ITeamDirectoryGrain>(ITeamDirectoryGrain.Key).CountAsync() >= ITeamDirectoryGrain.MaxTeams)
        {
            return HuddleError.Limit($"A deployment has at most {ITeamDirectoryGrain.MaxTeams} teams.");
        }

        return current is null
            ? new CareTeamProfile(TeamId, name, status, [], [], zone)
            : current with { Name = name, TimeZoneId = zone, Status = status };
    }

    private async Task<Result<CareTeamProfile>> SetMemberAsync(CareTeamProfile current, TeamAdminCommand command)
    {
        if (command.Role is not { } role || !Enum.IsDefined(role))
        {
            return HuddleError.Invalid("A member needs a role: pcp, bhc, careManager, consultingPsychiatrist, nurse, medicalAssistant, socialWorker, pharmacist or frontDesk.");
        }

        var found = await UserOfKindAsync(command.UserId, UserKind.Clinician, "a clinician");
        if (found.Value is not { } user)
        {
            return found.Error!;
        }

        var index = current.Members.IndexOf(current.Members.FirstOrDefault(m => m.UserId == user.UserId)!);
        if (index < 0 && current.Members.Length >= TeamAdminCommand.MaxMembers)
        {
            return HuddleError.Limit($"A team has at most {TeamAdminCommand.MaxMembers} clinicians.");
        }

        var member = new TeamMember(user.UserId, user.DisplayName, role);
        return current with { Members = index < 0 ? current.Members.Add(member) : current.Members.SetItem(index, member) };
    }

    private async Task<Result<CareTeamProfile>> AddDisplayAsync(CareTeamProfile current, TeamAdminCommand command)
    {
        if (await UserOfKindAsync(command.UserId, UserKind.RoomDisplay, "a room display") is { Error: { } error })
        {
            return error;
        }

        if (current.DisplayIds.Contains(command.UserId!))
        {
            return current;
        }

        return current.DisplayIds.Length >= TeamAdminCommand.MaxDisplays
            ? HuddleError.Limit($"A team has at most {TeamAdminCommand.MaxDisplays} room displays.")
            : current with { DisplayIds = current.DisplayIds.Add(command.UserId!) };
    }

    /// <summary>Refuses a user id that is not valid, not known, or not of <paramref name="kind"/>.</summary>
    private async Task<Result<UserProfile>> UserOfKindAsync(string? userId, UserKind kind, string what)
    {
        if (userId is null || !Ids.IsValid(userId))
        {
            return HuddleError.InvalidId("A user id");
        }

        if (await GrainFactory.Grain<IUserGrain>(userId).GetAsync() is not { } user)
        {
            return HuddleError.NotFound("User", userId);
        }

        return user.Kind == kind ? user : HuddleError.Invalid($"User '{userId}' is not {what}.");
    }

    private static bool SameProfile(CareTeamProfile a, CareTeamProfile b) =>
        a.Name == b.Name && a.Status == b.Status && a.TimeZoneId == b.TimeZoneId
        && a.Members.SequenceEqual(b.Members) && a.DisplayIds.SequenceEqual(b.DisplayIds);

    /// <summary>Everyone whose access to the team differs between <paramref name="before"/> and <paramref name="after"/>.</summary>
    private static IEnumerable<string> UsersMoved(CareTeamProfile? before, CareTeamProfile after)
    {
        var everyone = after.Members.Select(m => m.UserId).Concat(after.DisplayIds)
            .Concat(before is null ? [] : before.Members.Select(m => m.UserId).Concat(before.DisplayIds));
        return everyone.Distinct(StringComparer.Ordinal)
            .Where(u => (before?.AccessFor(u) ?? TeamAccess.None) != after.AccessFor(u));
    }

    /// <summary>
    /// What an applied change was, for its audit record (ids and setting names only, no free text):
    /// <c>setMember/u-okafor/bhc</c>, <c>removeMember/u-okafor</c>, <c>addDisplay/…</c>, <c>removeDisplay/…</c>,
    /// <c>settings/created</c>, <c>settings/name,timeZone,status=suspended</c> (the settings it changed) or
    /// <c>settings/unchanged</c>.
    /// </summary>
    internal static string AdminRef(TeamAdminCommand command, CareTeamProfile? before, CareTeamProfile after)
    {
        var op = OpName(command.Op);
        if (command.Op != TeamAdminOp.Settings)
        {
            return command.Op == TeamAdminOp.SetMember && command.Role is { } role
                ? $"{op}/{command.UserId}/{System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(role.ToString())}"
                : $"{op}/{command.UserId}";
        }

        if (before is null)
        {
            return $"{op}/created";
        }

        var changed = new List<string>(3);
        if (before.Name != after.Name)
        {
            changed.Add("name");
        }

        if (before.TimeZoneId != after.TimeZoneId)
        {
            changed.Add("timeZone");
        }

        if (before.Status != after.Status)
        {
            changed.Add($"status={System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(after.Status.ToString())}");
        }

        return $"{op}/{(changed.Count == 0 ? "unchanged" : string.Join(',', changed))}";
    }

    private static string OpName(TeamAdminOp op) => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(op.ToString());

    [LoggerMessage(Level = LogLevel.Information, Message = "Team {TeamId}: an administrator's {Op} was applied")]
    private partial void LogAdministered(string teamId, string op);

    [LoggerMessage(Level = LogLevel.Information, Message = "Team {TeamId}: an administrator's {Op} was refused: {Code}")]
    private partial void LogAdminRejected(string teamId, string op, string code);
}
