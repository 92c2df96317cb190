using Huddle.Contracts.Chat;
using Huddle.Contracts.Common;
using Huddle.Contracts.Patients;
using Huddle.Contracts.Users;
using Huddle.Web.Http;

namespace Huddle.Web.Chat;

/// <summary>Acknowledgement requests (docs/api.md, "Mentions, roles and acknowledgement requests").</summary>
public sealed partial class ChatService
{
    /// <summary>Acknowledges the message at <paramref name="seq"/> of <paramref name="threadId"/> as <paramref name="userId"/>; the reply is the acknowledgement's own log entry.</summary>
    public Task<Result<MessageSent>> AcknowledgeAsync(string userId, string threadId, long seq, string clientMessageId) =>
        CallAsync(threadId, "acknowledge", () => grains.Grain<IThreadGrain>(threadId).AcknowledgeAsync(userId, seq, clientMessageId));

    /// <summary>
    /// The page that shows <paramref name="threadId"/> to <paramref name="userId"/> (a chat notification's "Open"):
    /// a team's board, or the patient's page under one of the user's teams that has the patient; null when none
    /// does. Ids only: the page itself checks access and reads the thread.
    /// </summary>
    public async Task<string?> PageOfAsync(string userId, string threadId)
    {
        try
        {
            switch (ThreadIds.Parse(threadId))
            {
                case (ThreadKind.Team, { } teamId):
                    return $"/teams/{Uri.EscapeDataString(teamId)}/board#team-chat";
                case (ThreadKind.Patient, { } patientId):
                    var (patient, user) = (grains.Grain<IPatientGrain>(patientId).GetAsync(), grains.Grain<IUserGrain>(userId).GetAsync());
                    var teams = (await user)?.TeamIds ?? [];
                    return (await patient)?.TeamIds.FirstOrDefault(teams.Contains) is { } team
                        ? $"/teams/{Uri.EscapeDataString(team)}/patients/{Uri.EscapeDataString(patientId)}#patient-chat"
                        : null;
                default:
                    return null;
            }
        }
        catch (Exception ex) when (Failures.IsUnavailable(ex))
        {
            LogUnavailable(ex, threadId, "pageOf");
            return null;
        }
    }
}
