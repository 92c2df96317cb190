using Huddle.Contracts.Common;
using Huddle.Contracts.Live;
using Huddle.Contracts.Registry;
using Huddle.Web.Registry;

namespace Huddle.Web.Live;

/// <summary>A patient's care feed's hub methods (docs/api.md, "Registry"); a part of the one hub.</summary>
public sealed partial class HuddleHub
{
    /// <summary>Starts receiving <c>PatientCareChanged</c> for <paramref name="patientId"/> and returns the patient's care (clinicians on the patient's teams only).</summary>
    public Task<Result<FeedReply<PatientCareView, PatientCareChange>>> SubscribePatientCare(string patientId) =>
        OpenFeed<PatientCareView, PatientCareChange>(PatientCareRoute.FeedOf(patientId), null, FeedPosition.AnyEpoch);

    /// <summary>Like <see cref="SubscribePatientCare"/> for a client that has the care at <paramref name="seq"/> of <paramref name="epoch"/>.</summary>
    public Task<Result<FeedReply<PatientCareView, PatientCareChange>>> ResumePatientCare(string patientId, long seq, long epoch) =>
        OpenFeed<PatientCareView, PatientCareChange>(PatientCareRoute.FeedOf(patientId), seq, epoch);

    /// <summary>Stops receiving the patient's care.</summary>
    public Task UnsubscribePatientCare(string patientId) => CloseFeed(PatientCareRoute.FeedOf(patientId));
}
