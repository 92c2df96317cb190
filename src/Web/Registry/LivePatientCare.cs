using Huddle.Contracts.Registry;
using Huddle.Web.Live;

namespace Huddle.Web.Registry;

/// <summary>
/// A component's live copy of one patient's care (<c>care:{patientId}</c>): each change is the whole
/// view and replaces the one held, on the one generic <see cref="LiveFeed{TSnapshot, TChange}"/>. The
/// widget shows its flags; the patient's care panel its scores, enrolment and prompts.
/// </summary>
public sealed class LivePatientCare : ILiveCopy<PatientCareView, PatientCareChange>, IAsyncDisposable
{
    private LiveFeed<PatientCareView, PatientCareChange>? _feed;

    /// <summary>The care and flags as of the last change merged in; null before the first read, after a refusal, or when the patient is unknown.</summary>
    public PatientCareView? View { get; private set; }

    /// <summary>The last seq merged in (-1 before the first read).</summary>
    public long Seq => _feed?.Seq ?? -1;

    /// <summary>Why the care cannot be shown (forbidden, unknown patient, unavailable), or null.</summary>
    public Contracts.Common.HuddleError? Error => _feed?.Error;

    /// <summary>Opens <paramref name="patientId"/>'s care as <paramref name="userId"/> may see it; <paramref name="changed"/> re-renders.</summary>
    public static async Task<LivePatientCare> OpenAsync(RegistryService registry, string userId, string patientId, Func<Func<Task>, Task> dispatch, Func<Task> changed)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var live = new LivePatientCare();
        live._feed = await LiveFeed<PatientCareView, PatientCareChange>.OpenAsync(registry.CareSourceOf(userId, patientId), live, dispatch, changed);
        return live;
    }

    public async ValueTask DisposeAsync()
    {
        if (_feed is not null)
        {
            await _feed.DisposeAsync();
        }
    }

    long ILiveCopy<PatientCareView, PatientCareChange>.SeqOf(PatientCareChange change) => change.Seq;

    bool ILiveCopy<PatientCareView, PatientCareChange>.IsReset(PatientCareChange change) => change.Reset;

    void ILiveCopy<PatientCareView, PatientCareChange>.Take(PatientCareView snapshot) => View = snapshot;

    bool ILiveCopy<PatientCareView, PatientCareChange>.Merge(PatientCareChange change)
    {
        if (change.View is not { } view)
        {
            return false;
        }

        View = view;
        return true;
    }

    void ILiveCopy<PatientCareView, PatientCareChange>.Forget() => View = null;
}
