namespace Huddle.Web.Auth;

/// <summary>A patient in a <see cref="DevTeamRequest"/>.</summary>
public sealed record DevPatient(string PatientId, string DisplayName, string? Room = null);
