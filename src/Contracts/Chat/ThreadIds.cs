using System.Security.Cryptography;
using System.Text;
using Huddle.Contracts.Common;

namespace Huddle.Contracts.Chat;

/// <summary>
/// Thread ids, each kind by its own prefix so no id of one kind can be made to name another:
/// <c>pt.{patientId}</c>, <c>tm.{teamId}</c>, and <c>dm.{32 hex}</c> for two clinicians, the first
/// 128 bits of SHA-256 over their two user ids sorted (ordinal) and joined by a newline. A direct id
/// names nobody; its thread knows its two clinicians once one of them started it
/// (<see cref="IThreadGrain.StartDirectAsync"/>), which only someone whose pair hashes to the id can
/// do. Every id passes <see cref="Ids.IsValid"/>.
/// </summary>
public static class ThreadIds
{
    private const string PatientPrefix = "pt.";
    private const string TeamPrefix = "tm.";
    private const string DirectPrefix = "dm.";

    /// <summary>The thread of <paramref name="patientId"/>, or null when the id is malformed or too long to carry a prefix.</summary>
    public static string? ForPatient(string patientId) => Prefixed(PatientPrefix, patientId);

    /// <summary>The thread of <paramref name="teamId"/>, or null when the id is malformed or too long to carry a prefix.</summary>
    public static string? ForTeam(string teamId) => Prefixed(TeamPrefix, teamId);

    /// <summary>The direct thread of two different clinicians (in either order), or null when an id is malformed or they are the same.</summary>
    public static string? ForDirect(string userId, string otherId)
    {
        if (!Ids.IsValid(userId) || !Ids.IsValid(otherId) || userId == otherId)
        {
            return null;
        }

        var (a, b) = string.CompareOrdinal(userId, otherId) < 0 ? (userId, otherId) : (otherId, userId);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(a + "\n" + b));
        return DirectPrefix + Convert.ToHexStringLower(hash.AsSpan(0, 16));
    }

    /// <summary>The kind and subject (patient or team id; for a direct thread, null) of <paramref name="threadId"/>, or null when it is no thread id.</summary>
    public static (ThreadKind Kind, string? SubjectId)? Parse(string? threadId)
    {
        if (!Ids.IsValid(threadId))
        {
            return null;
        }

        if (threadId!.StartsWith(PatientPrefix, StringComparison.Ordinal) && threadId.Length > PatientPrefix.Length)
        {
            return (ThreadKind.Patient, threadId[PatientPrefix.Length..]);
        }

        if (threadId.StartsWith(TeamPrefix, StringComparison.Ordinal) && threadId.Length > TeamPrefix.Length)
        {
            return (ThreadKind.Team, threadId[TeamPrefix.Length..]);
        }

        if (threadId.StartsWith(DirectPrefix, StringComparison.Ordinal) && threadId.Length == DirectPrefix.Length + 32
            && threadId.AsSpan(DirectPrefix.Length).IndexOfAnyExcept("0123456789abcdef") < 0)
        {
            return (ThreadKind.Direct, null);
        }

        return null;
    }

    private static string? Prefixed(string prefix, string id) =>
        Ids.IsValid(id) && Ids.IsValid(prefix + id) ? prefix + id : null;
}
