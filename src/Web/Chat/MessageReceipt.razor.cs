using Huddle.Contracts.Chat;
using Huddle.Web.Handoffs;
using Microsoft.AspNetCore.Components;

namespace Huddle.Web.Chat;

/// <summary>
/// Under a message its sender wrote: "Sent", "Delivered to 3 of 4" or "Read by 2 of 4", live; a button
/// (keyboard and screen-reader usable: it says whether its list is open) shows who, and when.
/// </summary>
public sealed partial class MessageReceipt
{
    private bool _open;

    /// <summary>The message.</summary>
    [Parameter, EditorRequired]
    public ThreadMessage Message { get; set; } = default!;

    /// <summary>Its receipts, as the thread's receipts feed last said.</summary>
    [Parameter, EditorRequired]
    public MessageReceipts Receipts { get; set; } = default!;

    /// <summary>Display names by user id; a member not in it shows by id.</summary>
    [Parameter]
    public IReadOnlyDictionary<string, string>? Names { get; set; }

    /// <summary>The clock times are shown on (the team's), or null for UTC.</summary>
    [Parameter]
    public string? TimeZoneId { get; set; }

    private string DetailsId => $"receipt-{Message.ThreadId}-{Message.Seq}";

    private string NameOf(string userId) => Names?.GetValueOrDefault(userId) ?? userId;

    /// <summary>
    /// Who it went to, as the sender looks for them: those who read it first (soonest first), then those it
    /// reached, then the rest; by name within each.
    /// </summary>
    private IEnumerable<string> Listed =>
        Receipts.Others
            .OrderBy(u => Receipts.Read.Any(c => c.UserId == u) ? 0 : Receipts.Delivered.Any(c => c.UserId == u) ? 1 : 2)
            .ThenBy(u => Receipts.Read.FirstOrDefault(c => c.UserId == u)?.ReadAt ?? DateTimeOffset.MaxValue)
            .ThenBy(NameOf, StringComparer.CurrentCulture);

    private string StatusOf(string userId)
    {
        if (Receipts.Read.FirstOrDefault(c => c.UserId == userId) is { } read)
        {
            return $"read {TimeOf(read.ReadAt)}";
        }

        return Receipts.Delivered.FirstOrDefault(c => c.UserId == userId) is { } delivered ? $"delivered {TimeOf(delivered.DeliveredAt)}, not read yet" : "not delivered yet";
    }

    private string TimeOf(DateTimeOffset? at) =>
        at is { } when ? HandoffWords.TeamTime(when, TimeZoneId).ToString("ddd d MMM HH:mm", System.Globalization.CultureInfo.InvariantCulture) : "";
}
