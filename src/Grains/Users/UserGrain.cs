
using Huddle.Contracts.Users;
using Huddle.Grains.Common;

namespace Huddle.Grains.Users;

[GenerateSerializer, Alias("huddle.user-state")]
public sealed class UserState
{
    [Id(0)]
    public UserProfile? Profile { get; set; }
}

public sealed class UserGrain(
    [PersistentState(StorageNames.UserState, StorageNames.Huddle)] IPersistentState<UserState> state) : Grain, IUserGrain
{
    public Task<UserProfile?> GetAsync() => Task.FromResult(state.State.Profile);

    public async Task SetAsync(UserProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        if (profile.UserId != this.GetPrimaryKeyString())
        {
            throw new ArgumentException("The profile's id must match the grain's key.", nameof(profile));
        }

        state.State.Profile = profile;
        await state.WriteStateAsync();
    }
}
