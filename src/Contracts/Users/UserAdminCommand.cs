namespace Huddle.Contracts.Users;

/// <summary>
/// An administrator creates a Huddle user or changes one (<see cref="IUserGrain.AdministerAsync"/>): the
/// name shown to teammates and what kind of user it is. Teams are given on the team (its roster), never
/// here. A user on any team keeps their kind: take them off their teams first.
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.user-admin-command")]
public sealed record UserAdminCommand(
    [property: Id(0)] string DisplayName,
    [property: Id(1)] UserKind Kind)
{
    /// <summary>The longest display name.</summary>
    public const int MaxNameLength = 80;
}

/// <summary>A web host's ear for changes of a user's team access (<see cref="IUserGrain.WatchAccessAsync"/>).</summary>
public interface IUserAccessObserver : IGrainObserver
{
    /// <summary><paramref name="userId"/>'s teams changed; <paramref name="version"/> counts such changes.</summary>
    [OneWay]
    Task AccessChanged(string userId, long version);
}
