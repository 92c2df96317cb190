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
/// Why: an observer message to the hosted client crosses three thread-pool hops (the hosted client's
/// pump, the observer object's queue, the call) behind whatever the owner's turn queued meanwhile (its
/// audit record, its tells); on the chat bench that leg took 0.58 ms at the median and up to 13 ms for
/// the slowest messages, a fifth of a message's whole path (docs/performance.md, 2026-12-06 evening).
/// A direct call is safe because both calls the relay answers do no more than put the change or hint on
/// the feed's own queue (never waiting, never calling a grain), and the change is immutable, so Orleans
/// would not copy it either. A relay's dispatch, catch-up and renewal are the same either way: a change
/// the relay misses is caught up from the owner as before.
/// </remarks>
public sealed class LocalFeedHosts
{
    private readonly ConcurrentDictionary<GrainId, IFeedObserver> _hosts = new();

    /// <summary>The silo's registry, or null where there is none (a web host that is an Orleans client).</summary>
    public static LocalFeedHosts? In(IServiceProvider services) => services?.GetService<LocalFeedHosts>();

    /// <summary>Hosts registered now.</summary>
    public int Count => _hosts.Count;

    /// <summary>Registers <paramref name="host"/>, subscribed to owners as <paramref name="reference"/>.</summary>
    public void Add(IFeedObserver reference, IFeedObserver host)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(host);
        _hosts[reference.GetGrainId()] = host;
    }

    /// <summary>Forgets the host subscribed as <paramref name="reference"/> (it is stopping): owners send it messages again.</summary>
    public void Remove(IFeedObserver reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        _hosts.TryRemove(reference.GetGrainId(), out _);
    }

    /// <summary>What to call for <paramref name="observer"/>: the host itself when it is in this process, else the reference.</summary>
    public IFeedObserver Resolve(IFeedObserver observer) =>
        !_hosts.IsEmpty && observer is GrainReference reference && _hosts.TryGetValue(reference.GrainId, out var host) ? host : observer;
}
