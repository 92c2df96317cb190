using Huddle.Contracts.Chat;

namespace Huddle.Web.Chat;

/// <summary>One message's receipts: the members besides its sender (<see cref="Others"/>), whom it reached and who read it.</summary>
public sealed record MessageReceipts(IReadOnlyList<string> Others, IReadOnlyList<MemberCursor> Delivered, IReadOnlyList<MemberCursor> Read)
{
    /// <summary>What the sender sees under their message: "Read by 2 of 4", "Delivered to 3 of 4" or "Sent".</summary>
    public string Label => Others.Count == 0 ? "Sent"
        : Read.Count > 0 ? $"Read by {Read.Count} of {Others.Count}"
        : Delivered.Count > 0 ? $"Delivered to {Delivered.Count} of {Others.Count}"
        : "Sent";
}
