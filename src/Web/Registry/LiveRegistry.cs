using System.Collections.Immutable;
using Huddle.Contracts.Registry;
using Huddle.Web.Live;

namespace Huddle.Web.Registry;

/// <summary>
/// A component's live copy of a team's registry (<c>registry:{teamId}</c>): a patient's entry replaces
/// what was held of them, a leaving removes them, on the one generic <see cref="LiveFeed{TSnapshot, TChange}"/>.
/// The rows' status is computed here for the registry's day, with the rules the grain uses.
/// </summary>
public sealed class LiveRegistry : ILiveCopy<RegistryView, RegistryChange>, IAsyncDisposable
{
    private readonly Dictionary<string, RegistryEntry> _entries = new(StringComparer.Ordinal);
    private LiveFeed<RegistryView, RegistryChange>? _feed;

    /// <summary>The team's day the snapshot was taken on.</summary>
    public DateOnly Today { get; private set; }

    /// <summary>The last seq merged in (-1 before the first read).</summary>
    public long Seq => _feed?.Seq ?? -1;

    /// <summary>Why the registry cannot be shown (forbidden, unknown team, unavailable), or null.</summary>
    public Contracts.Common.HuddleError? Error => _feed?.Error;

    /// <summary>The rows, who needs attention first (as the grain orders them).</summary>
    public ImmutableArray<RegistryRow> Rows => RegistryRules.Rows(_entries.Values, Today);

    /// <summary>Opens <paramref name="teamId"/>'s registry as <paramref name="userId"/> may see it; <paramref name="changed"/> re-renders.</summary>
    public static async Task<LiveRegistry> OpenAsync(RegistryService registry, string userId, string teamId, Func<Func<Task>, Task> dispatch, Func<Task> changed)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var live = new LiveRegistry();
        live._feed = await LiveFeed<RegistryView, RegistryChange>.OpenAsync(registry.SourceOf(userId, teamId), live, dispatch, changed);
        return live;
    }

    public async ValueTask DisposeAsync()
    {
        if (_feed is not null)
        {
            await _feed.DisposeAsync();
        }
    }

    long ILiveCopy<RegistryView, RegistryChange>.SeqOf(RegistryChange change) => change.Seq;

    bool ILiveCopy<RegistryView, RegistryChange>.IsReset(RegistryChange change) => change.Reset;

    void ILiveCopy<RegistryView, RegistryChange>.Take(RegistryView snapshot)
    {
        _entries.Clear();
        Today = snapshot.Today;
        foreach (var row in snapshot.Rows)
        {
            _entries[row.Entry.PatientId] = row.Entry;
        }
    }

    bool ILiveCopy<RegistryView, RegistryChange>.Merge(RegistryChange change)
    {
        if (change.Entry is { } entry)
        {
            _entries[entry.PatientId] = entry;
            return true;
        }

        if (change.RemovedPatientId is { } gone)
        {
            _entries.Remove(gone);
            return true;
        }

        return false;
    }

    void ILiveCopy<RegistryView, RegistryChange>.Forget() => _entries.Clear();
}
