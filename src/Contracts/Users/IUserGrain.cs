namespace Huddle.Contracts.Users;

/// <summary>One grain per user (clinician or room display), keyed by the opaque user id.</summary>
public interface IUserGrain : IGrainWithStringKey
{
    /// <summary>The user's profile, or null when the id is unknown.</summary>
    Task<UserProfile?> GetAsync();

    /// <summary>Creates or replaces the profile (directory sync, demo seeding).</summary>
    Task SetAsync(UserProfile profile);
}
