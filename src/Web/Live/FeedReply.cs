using System.Collections.Immutable;
using System.Text.Json.Serialization;
using Huddle.Contracts.Common;
using Huddle.Contracts.Live;

namespace Huddle.Web.Live;

/// <summary>
/// The one answer to opening, resuming or reading any live feed but the board (docs/api.md, "Keeping a
/// live copy"): the feed's seq, then either <see cref="Snapshot"/> (a reset: start again from it) or the
/// changes after the seq the client had, in order. With <see cref="More"/> the owner sent one page of
/// them: read again from the last one. The same shape over the hub and HTTP, for every feed kind.
/// </summary>
/// <param name="Seq">The feed's seq this reply brings the client to.</param>
/// <param name="Reset">True when <see cref="Snapshot"/> replaces what the client held.</param>
/// <param name="Snapshot">The feed's state (on a reset), or null.</param>
/// <param name="Changes">The changes after the client's seq, in order (none on a reset).</param>
/// <param name="More">True when more changes follow the last one: read again from it.</param>
/// <param name="Epoch">The owner's epoch: <see cref="Seq"/> means something within it only; resume with both.</param>
/// <param name="Audience">The audience the reader was placed in (members, displays, one user); not sent to clients.</param>
public sealed record FeedReply<TSnapshot, TChange>(
    long Seq,
    bool Reset,
    TSnapshot? Snapshot,
    ImmutableArray<TChange> Changes,
    bool More = false,
    long Epoch = FeedPosition.AnyEpoch,
    [property: JsonIgnore] string Audience = "")
    where TSnapshot : class
{
    /// <summary>The relay's answer as the feed's typed reply.</summary>
    public static Result<FeedReply<TSnapshot, TChange>> From(Result<FeedOpen> open)
    {
        ArgumentNullException.ThrowIfNull(open);
        return open.Map(o => new FeedReply<TSnapshot, TChange>(o.Seq, o.Reset, o.Snapshot as TSnapshot, [.. o.Changes.Cast<TChange>()], o.More, o.Epoch, o.Audience));
    }
}
