using System.Globalization;
using Huddle.Contracts.Common;
using Huddle.Contracts.Handoffs;
using Huddle.Web.Layout;
using Microsoft.AspNetCore.Components;

namespace Huddle.Web.Handoffs;

/// <summary>
/// One handoff in full, for those who may open it (each open is logged by ids): patient, SBAR, every
/// step with its time and who, and the actions the viewer may take. It re-reads when the viewer's
/// inbox says the handoff changed, so the history stays live.
/// </summary>
public sealed partial class HandoffPage
{
    private Handoff? _handoff;
    private string? _patientName;
    private HuddleError? _error;

    [Parameter]
    public string HandoffId { get; set; } = "";

    protected override async Task OnInitializedAsync()
    {
        await base.OnInitializedAsync();
        if (Reads)
        {
            await ReloadAsync();
        }
    }

    protected override async Task OnInboxChangedAsync()
    {
        if (Live?.Find(HandoffId) is { } item && _handoff is { } held && item.Version > held.Version)
        {
            await ReloadAsync();
        }

        await base.OnInboxChangedAsync();
    }

    private async Task ReloadAsync()
    {
        var open = await Handoffs.OpenAsync(UserId, HandoffId);
        _error = open.Error;
        if (open.Value is not { } handoff)
        {
            return;
        }

        _handoff = handoff;
        await Live!.KnowTeamAsync(handoff.TeamId);
        if (_patientName is null && (await Handoffs.PatientAsync(UserId, handoff.TeamId, handoff.PatientId)).Value is { } patient)
        {
            _patientName = patient.DisplayName;
        }
    }

    private string TargetText(Handoff handoff) => handoff.Target switch
    {
        { UserId: { } userId } => Live!.NameOf(handoff.TeamId, userId),
        { Role: { } role } => RoleLabels.Of(role),
        _ => "",
    };

    private static IEnumerable<(string Label, string Text)> Sbar(Sbar reason)
    {
        yield return ("Situation", reason.Situation);
        if (reason.Background is { } background)
        {
            yield return ("Background", background);
        }

        if (reason.Assessment is { } assessment)
        {
            yield return ("Assessment", assessment);
        }

        if (reason.Recommendation is { } recommendation)
        {
            yield return ("Recommendation", recommendation);
        }
    }

    /// <summary>A step's time on the clinic's clock (the team's zone).</summary>
    private string TimeOf(Handoff handoff, DateTimeOffset at) => Live!.LocalTime(handoff.TeamId, at).ToString("HH:mm:ss", CultureInfo.InvariantCulture);
}
