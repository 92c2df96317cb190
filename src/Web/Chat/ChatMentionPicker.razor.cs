using System.Collections.Immutable;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Chat;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Huddle.Web.Chat;

/// <summary>
/// Whom a message being written mentions, picked with an autocomplete: the thread's clinicians, and the
/// roles of each of its teams as "the BHC on duty" (named with the team when a patient is on several, so
/// the role on either team can be asked for). The first role picked addresses the message to that role
/// (routed at send time as a handoff to the role would be); further roles are mentioned. Keyboard: type,
/// arrows, Enter; a picked mention's chip closes with its close button.
/// </summary>
public sealed partial class ChatMentionPicker
{
    private readonly List<MentionOption> _picked = [];
    private MudAutocomplete<MentionOption>? _picker;

    /// <summary>One thing to mention: a clinician (<see cref="UserId"/>) or a role (<see cref="Role"/>) of the team <see cref="TeamId"/>.</summary>
    public sealed record MentionOption(string Key, string Label, string? UserId, CareTeamRole? Role, string? TeamId = null);

    /// <summary>The teams whose clinicians and roles can be mentioned: the thread's team, or every care team of the patient (the one shown first).</summary>
    [Parameter]
    public IReadOnlyList<CareTeamProfile>? Teams { get; set; }

    /// <summary>The signed-in clinician (never offered).</summary>
    [Parameter, EditorRequired]
    public string UserId { get; set; } = "";

    /// <summary>The clinicians of the teams (each once), then each team's roles.</summary>
    private List<MentionOption> Options => Teams is not { Count: > 0 } teams ? [] :
    [
        .. teams.SelectMany(t => t.Members).Where(m => m.UserId != UserId).DistinctBy(m => m.UserId)
            .OrderBy(m => m.DisplayName, StringComparer.CurrentCulture)
            .Select(m => new MentionOption($"user:{m.UserId}", m.DisplayName, m.UserId, null)),
        .. teams.SelectMany(t => t.Members.Where(m => m.UserId != UserId).Select(m => m.Role).Distinct().Order()
            .Select(r => new MentionOption($"role:{t.TeamId}:{r}",
                teams.Count > 1 ? $"{ChatNotices.RoleWord(r)} on duty — {t.Name}" : $"{ChatNotices.RoleWord(r)} on duty", null, r, t.TeamId))),
    ];

    /// <summary><paramref name="message"/> with the mentions and role picked here.</summary>
    public SendMessage Apply(SendMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var roles = _picked.Where(p => p.Role is not null).Select(p => new RoleOnTeam(p.Role!.Value, p.TeamId)).ToList();
        return message with
        {
            Mentions = [.. _picked.Where(p => p.UserId is not null).Select(p => p.UserId!)],
            ToRole = roles.FirstOrDefault(),
            RoleMentions = [.. roles.Skip(1)],
        };
    }

    /// <summary>Forgets the mentions (the message was sent).</summary>
    public void Clear()
    {
        _picked.Clear();
        StateHasChanged();
    }

    private Task<IEnumerable<MentionOption>> SearchAsync(string? text, CancellationToken cancellationToken)
    {
        var typed = text?.Trim().TrimStart('@') ?? "";
        IEnumerable<MentionOption> found = Options.Where(o => !_picked.Contains(o)
            && (typed.Length == 0 || o.Label.Contains(typed, StringComparison.CurrentCultureIgnoreCase)));
        return Task.FromResult(found);
    }

    private async Task PickAsync(MentionOption? option)
    {
        if (option is not null && !_picked.Contains(option) && _picked.Count < AckLimits.MaxMentions)
        {
            _picked.Add(option);
        }

        if (_picker is not null)
        {
            await _picker.ClearAsync();
        }
    }

    private void Remove(MentionOption option) => _picked.Remove(option);

    /// <summary>The picked mentions, for tests and the panel.</summary>
    public ImmutableArray<MentionOption> Picked => [.. _picked];
}
