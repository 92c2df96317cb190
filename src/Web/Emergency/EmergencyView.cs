using System.Collections.Immutable;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Handoffs;
using Huddle.Contracts.Patients;

namespace Huddle.Web.Emergency;

/// <summary>A patient as the emergency page shows them: profile, care teams, handoffs newest first.</summary>
public sealed record EmergencyView(PatientProfile Patient, ImmutableArray<CareTeamProfile> Teams, ImmutableArray<HandoffSummary> Handoffs);
