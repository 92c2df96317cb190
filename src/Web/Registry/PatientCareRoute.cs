using Huddle.Contracts.Common;
using Huddle.Contracts.Live;
using Huddle.Contracts.Patients;
using Huddle.Contracts.Registry;
using Huddle.Web.Live;

namespace Huddle.Web.Registry;

/// <summary>A patient's care through the relay: <c>care:{patientId}</c>, sent as <c>PatientCareChanged</c>.</summary>
public sealed class PatientCareRoute(HuddleClock clock) : FeedRoute<IPatientGrain, PatientCareChange>(IPatientGrain.CareFeed)
{
    /// <summary>The care feed of <paramref name="patientId"/>.</summary>
    public static FeedId FeedOf(string patientId) => new(IPatientGrain.CareFeed, patientId);

    protected override Task Send(IHuddleClient clients, PatientCareChange change) => clients.PatientCareChanged(change);

    public override object ResetPayload(FeedId feed, long seq, string reason) => new PatientCareChange(feed.Key, seq, null, clock.UtcNow, Reset: true);
}
