using Huddle.Contracts.Common;

namespace Huddle.Contracts.CareTeams;

/// <summary>
/// A care team's panel: the patients it may put on its board (key: the team id). Kept apart from the
/// team's grain so a primary-care panel of thousands never rides along in every board write, and so
/// opening a board never touches it. Read a page at a time.
/// </summary>
public interface IPanelGrain : IGrainWithStringKey
{
    /// <summary>Adds or updates a patient (called by the patient's grain). Idempotent.</summary>
    Task AddOrUpdateAsync(Patients.PatientProfile patient);

    /// <summary>Takes a patient off the panel (called by the patient's grain). Idempotent.</summary>
    Task RemoveAsync(string patientId);

    /// <summary>
    /// One page of the panel by name, for members of the team only: those whose name or room contains
    /// <paramref name="query"/> (case-insensitive; null or empty: all), from <paramref name="offset"/>,
    /// at most <paramref name="limit"/> (1-<see cref="PanelPage.MaxLimit"/>).
    /// </summary>
    [AlwaysInterleave]
    Task<Result<PanelPage>> GetPageAsync(string userId, string? query, int offset, int limit);
}
