using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Common;

namespace Huddle.Contracts.Users;

/// <summary>
/// One grain per user (clinician, room display or administrator), keyed by the opaque user id. Its
/// <see cref="UserProfile.TeamIds"/> follow the teams' rosters: each team's grain tells it of every
/// roster change (<see cref="ITeamFollower"/>), and it tells the web hosts that relay this user's
/// feeds, which check those feeds' access again at once.
/// </summary>
public interface IUserGrain : ITeamFollower
{
    /// <summary>The user's profile, or null when the id is unknown.</summary>
    Task<UserProfile?> GetAsync();

    /// <summary>Creates or replaces the profile (directory sync, demo seeding).</summary>
    Task SetAsync(UserProfile profile);

    /// <summary>
    /// An administrator (<paramref name="actorId"/>, checked at this call) creates this user or changes
    /// their name or kind. A user on a team keeps their kind (<c>invalid_state</c>).
    /// </summary>
    Task<Result<UserProfile>> AdministerAsync(string actorId, UserAdminCommand command);

    /// <summary>
    /// <paramref name="host"/> (a web host relaying feeds to this user) is told of each change of the
    /// user's teams for the next few minutes; hosts renew it every half minute. Returns the count of
    /// such changes so far, so a renewal also catches a telling that was lost.
    /// </summary>
    [AlwaysInterleave]
    Task<long> WatchAccessAsync(IUserAccessObserver host);
}
