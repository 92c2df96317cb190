using System.Collections.Immutable;
using Huddle.Contracts.Chat;

namespace Huddle.Grains.Chat;

/// <summary>What a due step of an acknowledgement request does.</summary>
public enum AckStep
{
    /// <summary>Nothing is due.</summary>
    None,

    /// <summary>Notify the recipients who have not acknowledged again.</summary>
    Renotify,

    /// <summary>
    /// The re-notifications ran out: tell the sender who has not acknowledged, and close the request. Before
    /// that, the grain routes an unanswered role once more (<see cref="AckRules.MayRouteLate"/>).
    /// </summary>
    Unanswered,
}

/// <summary>
/// The acknowledgement-request rules, plain C# (as the handoffs' <c>Escalation</c> is): a request opens with
/// its message, is re-notified every <see cref="ChatAckOptions.AckRenotifyInterval"/> while anyone asked has
/// not acknowledged, <see cref="ChatAckOptions.AckRenotifyCount"/> times, and one interval after the last the
/// sender is told who has not, unless a role nobody answered now reaches a holder never asked: then that
/// holder is asked and given one more interval, once (<see cref="RouteLate"/>); it closes early once
/// everyone acknowledged.
/// </summary>
public static class AckRules
{
    /// <summary>The request <paramref name="message"/> (stored, asking for acknowledgement) opens.</summary>
    public static AckRequest Open(ThreadMessage message, ChatAckOptions options)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(options);
        return new AckRequest(message.Seq, message.SenderId, message.Ask?.Recipients ?? [], [], 0,
            message.At + options.AckRenotifyInterval, message.Priority == MessagePriority.Urgent, message.Ask?.Mentions ?? [], message.Ask?.Reached ?? []);
    }

    /// <summary>
    /// <paramref name="request"/> after the step due at <paramref name="now"/> (one step per call: a request
    /// overdue after an outage is re-notified once, then waits an interval again), and which step it was.
    /// </summary>
    public static (AckRequest Next, AckStep Step) Step(AckRequest request, ChatAckOptions options, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(options);
        if (request.NextAt is not { } due || due > now)
        {
            return (request, AckStep.None);
        }

        return request.Renotified < options.AckRenotifyCount
            ? (request with { Renotified = request.Renotified + 1, NextAt = now + options.AckRenotifyInterval }, AckStep.Renotify)
            : (request with { NextAt = null }, AckStep.Unanswered);
    }

    /// <summary>
    /// True when the step due of <paramref name="request"/> would tell the sender and a role nobody answered may
    /// first be routed once more: the last re-notification went out (its routing may have failed, or the role's
    /// holders changed since) and this is not already the extra round. Never with re-notifications turned off.
    /// </summary>
    public static bool MayRouteLate(AckRequest request, ChatAckOptions options)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(options);
        return options.AckRenotifyCount > 0 && request.Renotified == options.AckRenotifyCount;
    }

    /// <summary>
    /// <paramref name="request"/> after a late routing reached <paramref name="added"/>: they are asked, and the
    /// sender is told one interval later (<c>Renotified</c> one past the count, so it happens once).
    /// </summary>
    public static AckRequest RouteLate(AckRequest request, ImmutableArray<RoleReach> added, ChatAckOptions options, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(options);
        return Reroute(request with { Renotified = request.Renotified + 1, NextAt = now + options.AckRenotifyInterval }, added);
    }

    /// <summary><paramref name="request"/> with <paramref name="ack"/> recorded; closed when nobody is left waiting.</summary>
    public static AckRequest Acknowledge(AckRequest request, AckBy ack)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(ack);
        if (request.AckOf(ack.UserId) is not null)
        {
            return request;
        }

        var next = request with { Acked = request.Acked.Add(ack) };
        return next.Waiting.IsEmpty ? next with { NextAt = null } : next;
    }

    /// <summary>
    /// <paramref name="request"/> with the clinicians of <paramref name="added"/> (each a role of the request and
    /// holders it reaches now that it did not before) asked too.
    /// </summary>
    public static AckRequest Reroute(AckRequest request, ImmutableArray<RoleReach> added)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request with { Roles = AckTally.Add(request.Roles, added), Recipients = [.. request.Recipients.Union(added.SelectMany(a => a.UserIds), StringComparer.Ordinal)] };
    }

    /// <summary>
    /// <paramref name="requests"/> with <paramref name="changed"/> in place of the request of its seq (or
    /// added), every open one kept and only the newest <see cref="AckLimits.KeepClosed"/> closed ones.
    /// </summary>
    public static ImmutableArray<AckRequest> Keep(ImmutableArray<AckRequest> requests, AckRequest changed)
    {
        ArgumentNullException.ThrowIfNull(changed);
        var all = (requests.IsDefault ? [] : requests).Where(r => r.Seq != changed.Seq).Append(changed).OrderBy(r => r.Seq).ToList();
        var keptClosed = all.Where(r => !r.IsOpen).TakeLast(AckLimits.KeepClosed).Select(r => r.Seq).ToHashSet();
        return [.. all.Where(r => r.IsOpen || keptClosed.Contains(r.Seq))];
    }
}
