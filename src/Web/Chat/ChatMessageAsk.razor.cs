using Huddle.Contracts.Chat;
using Microsoft.AspNetCore.Components;

namespace Huddle.Web.Chat;

/// <summary>
/// What a message asked for, under it: whom it was addressed or mentioned, and for an acknowledgement request
/// an "Acknowledge" button when it asks the viewer, and its status for everyone ("Acknowledged by 1 of 2 ·
/// waiting: Dr. X", or "· waiting for you, Dr. X" to a clinician asked), live as acknowledgements are folded in. When its reminders ran out, who never answered.
/// </summary>
public sealed partial class ChatMessageAsk
{
    private bool _busy;
    private string? _error;

    /// <summary>The message.</summary>
    [Parameter, EditorRequired]
    public ThreadMessage Message { get; set; } = default!;

    /// <summary>Its acknowledgements (folded by the live thread).</summary>
    [Parameter]
    public IReadOnlyList<ThreadMessage> Acks { get; set; } = [];

    /// <summary>Who had not acknowledged when its reminders ran out, or null while they have not.</summary>
    [Parameter]
    public IReadOnlyList<string>? Unanswered { get; set; }

    /// <summary>The signed-in clinician.</summary>
    [Parameter, EditorRequired]
    public string ViewerId { get; set; } = "";

    /// <summary>A person's name by user id ("You" for the viewer).</summary>
    [Parameter, EditorRequired]
    public Func<string, string> NameOf { get; set; } = id => id;

    /// <summary>Acknowledges the message; returns the error to show, or null.</summary>
    [Parameter]
    public Func<ThreadMessage, Task<string?>>? OnAcknowledge { get; set; }

    /// <summary>Answered of asked: each clinician named once, each role once (any holder's acknowledgement answers it).</summary>
    private AckCount Count => AckTally.Count(Message.Ask!, Acks.Select(a => a.SenderId));

    private int AckedCount => Count.Acked;

    private bool ViewerAcknowledged => Acks.Any(a => a.SenderId == ViewerId);

    private bool CanAcknowledge => Message.Ask!.Recipients.Contains(ViewerId) && !ViewerAcknowledged && OnAcknowledge is not null;

    private string Status
    {
        get
        {
            // The viewer is named first, as "you" ("waiting for you, B. Two" beside their Acknowledge button),
            // never as a name in the list ("waiting: You").
            var count = Count;
            var others = count.Waiting.Where(u => u != ViewerId).Select(NameOf).ToList();
            var status = $"Acknowledged by {count.Acked} of {count.Asked}";
            return count.Waiting.Contains(ViewerId)
                ? $"{status} · waiting for you{string.Concat(others.Select(o => $", {o}"))}"
                : others.Count == 0 ? status : $"{status} · waiting: {string.Join(", ", others)}";
        }
    }

    /// <summary>"To the BHC on duty: B. One" for a message to a role.</summary>
    private string? Addressed
    {
        get
        {
            var ask = Message.Ask!;
            if (ask.ToRole is not { } role)
            {
                return null;
            }

            var reached = ask.Reached.FirstOrDefault(r => r.Role.Role == role.Role && (role.TeamId is null || r.Role.TeamId == role.TeamId));
            var who = reached is null ? "" : $": {string.Join(", ", reached.UserIds.Select(NameOf))}";
            return $"To the {ChatNotices.RoleWord(role.Role)} on duty{who}";
        }
    }

    /// <summary>"Mentions: B. One, the nurse on duty" for the clinicians and roles mentioned.</summary>
    private string? Mentioned
    {
        get
        {
            var ask = Message.Ask!;
            var names = ask.Mentions.Select(NameOf).Concat(ask.RoleMentions.Select(r => $"the {ChatNotices.RoleWord(r.Role)} on duty")).ToList();
            return names.Count == 0 ? null : $"Mentions: {string.Join(", ", names)}";
        }
    }

    private async Task AcknowledgeAsync()
    {
        if (OnAcknowledge is null)
        {
            return;
        }

        _busy = true;
        try
        {
            _error = await OnAcknowledge(Message);
        }
        finally
        {
            _busy = false;
        }
    }
}
