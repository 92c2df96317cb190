using System.Collections.Concurrent;
using Huddle.Contracts.Live;
using Microsoft.Extensions.DependencyInjection;

namespace Huddle.Grains.Live;

/// <summary>
/// The feed hosts that live in this silo's process: a web host co-hosted with the silo registers its
/// relay here under the observer reference it subscribes with, and an owner on this silo then calls that
/// relay directly (<see cref="Resolve"/>) instead of sending an Orleans message to the silo's hosted
/// client. Hosts in other processes (other silos' web hosts, web hosts that are Orleans clients) are not
/// here and are sent messages as before.
/// </summary>
/// <remarks>
/// Why: a message to the hosted client crosses three thread-pool hops (the hosted client's pump, the
/// observer object's queue, the call) and the messaging layer, to reach an object in the same process.
/// On the chat bench (docs/performance.md, "A change handed to the host in the owner's process") that leg
/// was 0.58 ms at the median; without it the relay has the change at the publish, but its pump still
/// waits for the owner's turn to end on a one-core host, so no latency was gained there, only a little
/// CPU. A direct call is safe because both calls the relay answers do no more than put the change or
/// hint on the feed's own queue (never waiting, never calling a grain), and the change is immutable, so
/// Orleans would not copy it either. Everything after the queue (order, gaps, epochs, renewal) is the
/// same for both paths: a change the relay misses is caught up from the owner as before.
/// </remarks>
public sealed class LocalFeedHosts : IFeedHostRegistry
{
    private readonly ConcurrentDictionary<GrainId, IFeedObserver> _hosts = new();

    /// <summary>The silo's registry, or null where there is none (a web host that is an Orleans client).</summary>
    public static LocalFeedHosts? In(IServiceProvider services) => services.GetService<LocalFeedHosts>();

    /// <summary>Hosts registered now.</summary>
    public int Count => _hosts.Count;

    /// <inheritdoc />
    public void Add(IFeedObserver reference, IFeedObserver host)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(host);
        _hosts[IdOf(reference)] = host;
    }

    /// <inheritdoc />
    public void Remove(IFeedObserver reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        _hosts.TryRemove(IdOf(reference), out _);
    }

    /// <summary>What to call for <paramref name="observer"/>: the host itself when it is in this process, else the reference.</summary>
    public IFeedObserver Resolve(IFeedObserver observer) =>
        !_hosts.IsEmpty && observer is GrainReference reference && _hosts.TryGetValue(reference.GrainId, out var host) ? host : observer;

    /// <summary>A host's key: its reference's id, the one <see cref="Resolve"/> looks up.</summary>
    private static GrainId IdOf(IFeedObserver reference) =>
        reference is GrainReference grainReference ? grainReference.GrainId
            : throw new ArgumentException("A host is registered under its observer reference (CreateObjectReference), not an object.", nameof(reference));
}
