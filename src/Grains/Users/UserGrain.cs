using System.Collections.Immutable;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Common;
using Huddle.Contracts.Users;
using Huddle.Grains.Common;

namespace Huddle.Grains.Users;

[GenerateSerializer, Alias("huddle.user-state")]
public sealed class UserState
{
    [Id(0)]
    public UserProfile? Profile { get; set; }

    /// <summary>How many times the user's teams have changed: hosts compare it to catch a lost telling.</summary>
    [Id(1)]
    public long AccessVersion { get; set; }
}

/// <summary>
/// A user (<see cref="IUserGrain"/>). The row is one profile (its team list bounded by the teams that
/// list the user) and a counter. The hosts to tell of access changes live in memory only: a host renews
/// its watch every half minute, and each renewal returns the counter, so a lost activation or a lost
/// telling costs half a minute at most.
/// </summary>
public sealed class UserGrain(
    [PersistentState(StorageNames.UserState, StorageNames.Huddle)] IPersistentState<UserState> state,
    HuddleClock clock) : Grain, IUserGrain
{
    private static readonly TimeSpan WatchLifetime = TimeSpan.FromMinutes(2);

    private readonly Dictionary<IUserAccessObserver, DateTimeOffset> _hosts = [];

    private string UserId => this.GetPrimaryKeyString();

    public Task<UserProfile?> GetAsync() => Task.FromResult(state.State.Profile);

    public async Task SetAsync(UserProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        if (profile.UserId != UserId)
        {
            throw new ArgumentException("The profile's id must match the grain's key.", nameof(profile));
        }

        var teamsChanged = state.State.Profile is { } before && !before.TeamIds.SequenceEqual(profile.TeamIds);
        state.State.Profile = profile;
        await WriteAsync(teamsChanged);
    }

    public async Task<Result<UserProfile>> AdministerAsync(string actorId, UserAdminCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var actor = actorId == UserId ? state.State.Profile : await GrainFactory.Grain<IUserGrain>(actorId).GetAsync();
        if (actor?.Kind != UserKind.Administrator)
        {
            return HuddleError.Forbidden("Only administrators can create or change users.");
        }

        var name = command.DisplayName?.Trim() ?? "";
        if (name.Length is 0 or > UserAdminCommand.MaxNameLength)
        {
            return HuddleError.Invalid($"A user's name is 1-{UserAdminCommand.MaxNameLength} characters.");
        }

        if (!Enum.IsDefined(command.Kind))
        {
            return HuddleError.Invalid("A user's kind is clinician, roomDisplay or administrator.");
        }

        var before = state.State.Profile;
        if (before is { TeamIds.Length: > 0 } && before.Kind != command.Kind)
        {
            return HuddleError.State($"A user on {before.TeamIds.Length} team(s) keeps their kind: take them off their teams first.");
        }

        if (actorId == UserId && command.Kind != UserKind.Administrator)
        {
            return HuddleError.State("Administrators cannot take away their own administration: another administrator can.");
        }

        var profile = new UserProfile(UserId, name, command.Kind, command.Kind == UserKind.Clinician ? before?.Role : null, before?.TeamIds ?? []);
        AuditNote.Ref(AdminRef(before, profile));
        if (profile == before)
        {
            return profile;
        }

        state.State.Profile = profile;
        try
        {
            await WriteAsync(teamsChanged: false);
        }
        catch
        {
            state.State.Profile = before;
            throw;
        }

        return profile;
    }

    /// <summary>
    /// What an administrator's applied change was, for its audit record (no names: the new name is the
    /// user's profile): <c>created/clinician</c>, <c>changed/name</c>, <c>changed/kind=administrator</c>,
    /// <c>changed/name,kind=roomDisplay</c> or <c>changed/nothing</c>.
    /// </summary>
    internal static string AdminRef(UserProfile? before, UserProfile after)
    {
        var kind = System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(after.Kind.ToString());
        if (before is null)
        {
            return $"created/{kind}";
        }

        var changed = new List<string>(2);
        if (before.DisplayName != after.DisplayName)
        {
            changed.Add("name");
        }

        if (before.Kind != after.Kind)
        {
            changed.Add($"kind={kind}");
        }

        return $"changed/{(changed.Count == 0 ? "nothing" : string.Join(',', changed))}";
    }

    /// <summary>
    /// A team's grain tells of its roster as just stored: the user's team list follows it (a member or a
    /// room display of the team lists it; anyone else does not), and the hosts relaying this user's
    /// feeds check them again. A user the directory does not know yet is not created here.
    /// </summary>
    public async Task TeamChangedAsync(CareTeamProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        if (state.State.Profile is not { } user)
        {
            return;
        }

        var listed = profile.AccessFor(UserId) != TeamAccess.None;
        if (listed == user.TeamIds.Contains(profile.TeamId))
        {
            // Told again (a retry), or a change that left this user as they were: nothing to do.
            return;
        }

        if (!listed)
        {
            // Before the change is stored: should this fail, the team tells again and this runs again.
            await GrainFactory.Grain<Contracts.Chat.IThreadListGrain>(UserId).AccessLostAsync();
        }

        state.State.Profile = user with { TeamIds = listed ? user.TeamIds.Add(profile.TeamId) : user.TeamIds.Remove(profile.TeamId) };
        try
        {
            await WriteAsync(teamsChanged: true);
        }
        catch
        {
            state.State.Profile = user;
            throw;
        }
    }

    public Task<long> WatchAccessAsync(IUserAccessObserver host)
    {
        ArgumentNullException.ThrowIfNull(host);
        _hosts[host] = clock.UtcNow + WatchLifetime;
        return Task.FromResult(state.State.AccessVersion);
    }

    /// <summary>Writes the row; when the user's teams changed, the counter moves with it and the hosts are told once stored.</summary>
    private async Task WriteAsync(bool teamsChanged)
    {
        if (teamsChanged)
        {
            state.State.AccessVersion++;
        }

        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            if (teamsChanged)
            {
                state.State.AccessVersion--;
            }

            throw;
        }

        if (teamsChanged)
        {
            Tell();
        }
    }

    /// <summary>Tells each host watching this user (one-way: a host that is gone renews nothing and is forgotten).</summary>
    private void Tell()
    {
        var now = clock.UtcNow;
        foreach (var (host, until) in _hosts.ToList())
        {
            if (until < now)
            {
                _hosts.Remove(host);
                continue;
            }

            host.AccessChanged(UserId, state.State.AccessVersion).Ignore();
        }
    }
}
