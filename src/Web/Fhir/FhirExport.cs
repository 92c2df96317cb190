using System.Security.Cryptography;
using System.Text;
using Hl7.Fhir.Model;
using Huddle.Contracts.Audit;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Chat;
using Huddle.Contracts.Handoffs;
using Huddle.Contracts.Registry;

namespace Huddle.Web.Fhir;

/// <summary>
/// Huddle's data as FHIR R4 resources (Firely's <c>Hl7.Fhir.R4</c> model; docs/integration.md, "FHIR
/// export"): a care team as <c>CareTeam</c>, a warm handoff as <c>Task</c>, a PHQ-9 or GAD-7 as a
/// <c>QuestionnaireResponse</c> with the <c>Observation</c>s extracted from it (the panel with each item
/// as a component, and the total), a message of the patient's chat as <c>Communication</c>. Patients and clinicians are referenced by identifier (the configured
/// systems), never by name: the receiving EHR resolves them. Resource ids are derived from Huddle's ids
/// (a hash, since FHIR ids allow no '_'); each resource also carries Huddle's id as an identifier.
/// </summary>
public static class FhirExport
{
    public const string Loinc = "http://loinc.org";
    private const string ObservationCategory = "http://terminology.hl7.org/CodeSystem/observation-category";

    /// <summary>LOINC codes of each instrument: the panel, the total, and the items in order (docs/integration.md).</summary>
    public static readonly IReadOnlyDictionary<Instrument, (string Panel, string PanelName, string Total, string[] Items)> Codes =
        new Dictionary<Instrument, (string, string, string, string[])>
        {
            [Instrument.Phq9] = ("44249-1", "PHQ-9 quick depression assessment panel", "44261-6",
                ["44250-9", "44255-8", "44259-0", "44254-1", "44251-7", "44258-2", "44252-5", "44253-3", "44260-8"]),
            [Instrument.Gad7] = ("69737-5", "Generalized anxiety disorder 7 item (GAD-7)", "70274-6",
                ["69725-0", "68509-9", "69733-4", "69734-2", "69735-9", "69689-8", "69736-7"]),
        };

    /// <summary>LOINC answer codes for 0-3 ("Not at all" … "Nearly every day").</summary>
    private static readonly string[] AnswerCodes = ["LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"];

    /// <summary>A collection bundle of <paramref name="resources"/>, each with its <c>urn:uuid</c> full URL.</summary>
    public static Bundle Collection(IEnumerable<Resource> resources, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(resources);
        var bundle = new Bundle { Type = Bundle.BundleType.Collection, Timestamp = now, Id = Guid.NewGuid().ToString("N") };
        foreach (var resource in resources)
        {
            bundle.Entry.Add(new Bundle.EntryComponent { FullUrl = FullUrl(resource.TypeName, resource.Id), Resource = resource });
        }

        return bundle;
    }

    /// <summary>The team as a <c>CareTeam</c>: status, name, each member with their role.</summary>
    public static CareTeam CareTeamOf(CareTeamProfile team, FhirOptions options)
    {
        ArgumentNullException.ThrowIfNull(team);
        ArgumentNullException.ThrowIfNull(options);
        var careTeam = new CareTeam
        {
            Id = IdOf("CareTeam", team.TeamId),
            Identifier = [new Identifier(options.TeamIdentifierSystem, team.TeamId)],
            Status = team.Status switch
            {
                CareTeamStatus.Proposed => CareTeam.CareTeamStatus.Proposed,
                CareTeamStatus.Suspended => CareTeam.CareTeamStatus.Suspended,
                CareTeamStatus.Inactive => CareTeam.CareTeamStatus.Inactive,
                _ => CareTeam.CareTeamStatus.Active,
            },
            Name = team.Name,
        };
        foreach (var member in team.Members)
        {
            careTeam.Participant.Add(new CareTeam.ParticipantComponent
            {
                Role = [new CodeableConcept(options.RoleSystem, RoleCode(member.Role), member.Role.ToString())],
                Member = Practitioner(member.UserId, options),
            });
        }

        return careTeam;
    }

    /// <summary>A warm handoff as a <c>Task</c>: status (docs/clinical.md), business status, priority, the patient, requester and owner.</summary>
    public static Hl7.Fhir.Model.Task TaskOf(HandoffSummary handoff, string patientId, FhirOptions options)
    {
        ArgumentNullException.ThrowIfNull(handoff);
        ArgumentNullException.ThrowIfNull(options);
        var task = new Hl7.Fhir.Model.Task
        {
            Id = IdOf("Task", handoff.HandoffId),
            Identifier = [new Identifier(options.HandoffIdentifierSystem, handoff.HandoffId)],
            Status = (Hl7.Fhir.Model.Task.TaskStatus)Enum.Parse(typeof(Hl7.Fhir.Model.Task.TaskStatus), HandoffStatuses.FhirCode(handoff.Status).Replace("-", "", StringComparison.Ordinal), ignoreCase: true),
            Intent = Hl7.Fhir.Model.Task.TaskIntent.Order,
            Priority = handoff.Priority switch
            {
                HandoffPriority.Stat => RequestPriority.Stat,
                HandoffPriority.Asap => RequestPriority.Asap,
                HandoffPriority.Urgent => RequestPriority.Urgent,
                _ => RequestPriority.Routine,
            },
            Code = new CodeableConcept { Text = "Warm handoff" },
            For = Patient(patientId, options),
            AuthoredOn = handoff.RequestedAt.ToString("o", System.Globalization.CultureInfo.InvariantCulture),
            Requester = Practitioner(handoff.RequesterId, options),
        };
        if (handoff.BusinessStatus is { } business)
        {
            task.BusinessStatus = new CodeableConcept { Text = business };
        }

        if (handoff.AcceptedBy is { } owner)
        {
            task.Owner = Practitioner(owner, options);
        }

        return task;
    }

    /// <summary>
    /// A measurement as a completed <c>QuestionnaireResponse</c> (LOINC's questionnaire, each item with its
    /// LOINC code and answer) and the <c>Observation</c>s extracted from it: the panel, items as components,
    /// derived from the response and having the total as its member; and the total.
    /// </summary>
    public static (QuestionnaireResponse Response, Observation Panel, Observation Total) MeasurementOf(Measurement measurement, string patientId, FhirOptions options)
    {
        ArgumentNullException.ThrowIfNull(measurement);
        ArgumentNullException.ThrowIfNull(options);
        var codes = Codes[measurement.Instrument];
        var key = $"{patientId}/{measurement.Number}";
        var questions = Questionnaires.QuestionsOf(measurement.Instrument);
        var effective = new FhirDateTime(measurement.On.Year, measurement.On.Month, measurement.On.Day);
        var subject = Patient(patientId, options);
        var performer = Practitioner(measurement.AdministeredBy, options);
        var identifier = new Identifier(options.MeasurementIdentifierSystem, key);

        var response = new QuestionnaireResponse
        {
            Id = IdOf("QuestionnaireResponse", key),
            Identifier = identifier,
            Questionnaire = $"{Loinc}/q/{codes.Panel}",
            Status = QuestionnaireResponse.QuestionnaireResponseStatus.Completed,
            Subject = subject,
            Authored = measurement.RecordedAt.ToString("o", System.Globalization.CultureInfo.InvariantCulture),
            Author = performer,
        };
        for (var i = 0; i < measurement.Items.Length; i++)
        {
            response.Item.Add(new QuestionnaireResponse.ItemComponent
            {
                LinkId = codes.Items[i],
                Text = questions[i],
                Answer = [new QuestionnaireResponse.AnswerComponent { Value = Answer(measurement.Items[i]) }],
            });
        }

        response.Item.Add(new QuestionnaireResponse.ItemComponent
        {
            LinkId = codes.Total,
            Text = $"{Questionnaires.NameOf(measurement.Instrument)} total score",
            Answer = [new QuestionnaireResponse.AnswerComponent { Value = new Integer(measurement.Total) }],
        });

        var total = Survey(IdOf("Observation", $"{key}/total"), codes.Total, $"{Questionnaires.NameOf(measurement.Instrument)} total score", subject, effective, performer, response);
        total.Identifier = [new Identifier(options.MeasurementIdentifierSystem, $"{key}/total")];
        total.Value = new Integer(measurement.Total);
        total.Interpretation = [new CodeableConcept { Text = Questionnaires.WordsOf(measurement.Band) }];

        var panel = Survey(IdOf("Observation", $"{key}/panel"), codes.Panel, codes.PanelName, subject, effective, performer, response);
        panel.Identifier = [new Identifier(options.MeasurementIdentifierSystem, $"{key}/panel")];
        panel.HasMember = [new ResourceReference(FullUrl("Observation", total.Id))];
        for (var i = 0; i < measurement.Items.Length; i++)
        {
            panel.Component.Add(new Observation.ComponentComponent
            {
                Code = new CodeableConcept(Loinc, codes.Items[i], questions[i]),
                Value = new CodeableConcept { Coding = [Answer(measurement.Items[i])] },
            });
        }

        return (response, panel, total);
    }

    /// <summary>
    /// A message of the patient's care-team chat as a <c>Communication</c>: completed, about the patient,
    /// sent by the clinician (by identifier), with its time, priority and text.
    /// </summary>
    public static Communication CommunicationOf(ThreadMessage message, string patientId, FhirOptions options)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(options);
        var key = $"{message.ThreadId}/{message.Seq}";
        return new Communication
        {
            Id = IdOf("Communication", key),
            Identifier = [new Identifier(options.MessageIdentifierSystem, key)],
            Status = EventStatus.Completed,
            Priority = message.Priority == MessagePriority.Urgent ? RequestPriority.Urgent : RequestPriority.Routine,
            Subject = Patient(patientId, options),
            Sent = message.At.ToString("o", System.Globalization.CultureInfo.InvariantCulture),
            Sender = Practitioner(message.SenderId, options),
            Payload = [new Communication.PayloadComponent { Content = new FhirString(message.Text) }],
        };
    }

    /// <summary>
    /// An audit record as an <c>AuditEvent</c> (a RESTful operation; the action as Huddle names it in the
    /// subtype; read or execute; the outcome 0 success, 4 refused, 8 failed; the clinician as requesting
    /// agent; Huddle as the observing application server; the patient and the record acted on as
    /// entities). Ids only, like the record itself.
    /// </summary>
    public static AuditEvent AuditEventOf(AuditRecord record, FhirOptions options)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(options);
        var audit = new AuditEvent
        {
            Id = IdOf("AuditEvent", $"{record.At.UtcTicks}/{record.UserId}/{record.Action}/{record.TargetKind}/{record.TargetId}/{record.Connection}/{record.Ref}"),
            Type = new Coding("http://terminology.hl7.org/CodeSystem/audit-event-type", "rest", "RESTful Operation"),
            Subtype = [new Coding(options.AuditActionSystem, record.Action)],
            Action = IsRead(record.Action) ? AuditEvent.AuditEventAction.R : AuditEvent.AuditEventAction.E,
            Recorded = record.At,
            Outcome = record.Outcome switch
            {
                AuditOutcome.Allowed => AuditEvent.AuditEventOutcome.N0,
                AuditOutcome.Failed => AuditEvent.AuditEventOutcome.N8,
                _ => AuditEvent.AuditEventOutcome.N4,
            },
            OutcomeDesc = record.Code,
            Agent =
            [
                new AuditEvent.AgentComponent
                {
                    Who = Practitioner(record.UserId, options),
                    Requestor = true,
                },
            ],
            Source = new AuditEvent.SourceComponent
            {
                Observer = new ResourceReference { Display = "Huddle" },
                Type = [new Coding("http://terminology.hl7.org/CodeSystem/security-source-type", "4", "Application Server")],
            },
        };
        if (record.PatientId is { } patientId)
        {
            audit.Entity.Add(new AuditEvent.EntityComponent { What = Patient(patientId, options) });
        }

        audit.Entity.Add(new AuditEvent.EntityComponent
        {
            What = new ResourceReference { Identifier = new Identifier($"urn:huddle:{record.TargetKind}", record.TargetId) },
            Detail = record.Ref is { } refId ? [new AuditEvent.DetailComponent { Type = "ref", Value = new FhirString(refId) }] : [],
        });
        return audit;
    }

    private static bool IsRead(string action) =>
        action.Split('.') is [_, var method] && (method.StartsWith("Get", StringComparison.Ordinal) || method.StartsWith("Read", StringComparison.Ordinal)
            || method.StartsWith("List", StringComparison.Ordinal) || method is "Open" or "Subscribe" or "Active");

    /// <summary>A stable FHIR id (64 characters at most, no '_') for a Huddle key.</summary>
    public static string IdOf(string type, string key) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{type}/{key}")))[..32];

    /// <summary>The bundle's full URL of a resource: a name-based UUID, the same in every export.</summary>
    public static string FullUrl(string type, string? id)
    {
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes($"{type}/{id}")).AsSpan(0, 16).ToArray();
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x50);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return $"urn:uuid:{new Guid(bytes, bigEndian: true)}";
    }

    private static Observation Survey(string id, string code, string name, ResourceReference subject, FhirDateTime effective, ResourceReference performer, QuestionnaireResponse response) => new()
    {
        Id = id,
        Status = ObservationStatus.Final,
        Category = [new CodeableConcept(ObservationCategory, "survey", "Survey")],
        Code = new CodeableConcept(Loinc, code, name),
        Subject = subject,
        Effective = effective,
        Performer = [performer],
        DerivedFrom = [new ResourceReference(FullUrl("QuestionnaireResponse", response.Id))],
    };

    private static Coding Answer(int score) => new(Loinc, AnswerCodes[score], Questionnaires.Answers[score]);

    private static ResourceReference Patient(string patientId, FhirOptions options) =>
        new() { Type = "Patient", Identifier = new Identifier(options.PatientIdentifierSystem, patientId) };

    private static ResourceReference Practitioner(string userId, FhirOptions options) =>
        new() { Type = "Practitioner", Identifier = new Identifier(options.UserIdentifierSystem, userId) };

    private static string RoleCode(CareTeamRole role) => System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(role.ToString());
}
