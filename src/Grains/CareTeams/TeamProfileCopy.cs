using Huddle.Contracts.Common;
using System.Diagnostics;
using Huddle.Contracts.CareTeams;

namespace Huddle.Grains.CareTeams;

/// <summary>
/// A follower's copy of its team's profile (<see cref="ITeamFollower"/>): told by the team's grain on
/// every change, read from it once per activation, and again after <see cref="KeepFor"/> in case a
/// tell was lost with the team's activation, so access can lag a roster change by that much at worst.
/// </summary>
public sealed class TeamProfileCopy(IGrainFactory grains, string teamId)
{
    /// <summary>How long a copy is trusted without a tell.</summary>
    public static readonly TimeSpan KeepFor = TimeSpan.FromMinutes(5);

    private CareTeamProfile? _profile;
    private long _takenAt;
    private long _generation;

    /// <summary>The copy held, without asking (null until read or told).</summary>
    public CareTeamProfile? Held => _profile;

    /// <summary>The team's profile: the copy, or the team's grain's answer when there is none or it is old; null for no team.</summary>
    public async Task<CareTeamProfile?> GetAsync()
    {
        if (_profile is not null && Stopwatch.GetElapsedTime(_takenAt) < KeepFor)
        {
            return _profile;
        }

        var generation = _generation;
        var read = await grains.Grain<ICareTeamGrain>(teamId).GetProfileAsync();
        if (read is not null && generation == _generation)
        {
            // A tell that arrived while this read was under way is newer: it wins.
            Take(read);
        }

        return _profile ?? read;
    }

    /// <summary>Takes the profile the team's grain just told; returns true when the roster (clinicians or displays) changed.</summary>
    public bool Take(CareTeamProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var before = _profile;
        (_profile, _takenAt, _generation) = (profile, Stopwatch.GetTimestamp(), _generation + 1);
        return before is null
            || !before.Members.Select(m => m.UserId).SequenceEqual(profile.Members.Select(m => m.UserId))
            || !before.DisplayIds.SequenceEqual(profile.DisplayIds);
    }
}
