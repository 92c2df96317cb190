namespace Huddle.Grains.Common;

/// <summary>
/// What a grain tells the silo's audit of the call it is answering, beyond its key and arguments: the
/// patient whose data it is, when only the grain knows (a handoff's patient). A no-op outside an
/// audited call.
/// </summary>
public sealed class AuditNote
{
    private static readonly AsyncLocal<AuditNote?> CurrentNote = new();

    public string? PatientId { get; private set; }

    /// <summary>An id the record carries beside its target (an emergency access's number).</summary>
    public string? RefId { get; private set; }

    /// <summary>Notes, for the audited call in this flow, the id of what it made or read within its target.</summary>
    public static void Ref(string id)
    {
        if (CurrentNote.Value is { } note)
        {
            note.RefId = id;
        }
    }

    /// <summary>Notes, for the audited call in this flow, that it is <paramref name="patientId"/>'s data.</summary>
    public static void Patient(string patientId)
    {
        if (CurrentNote.Value is { } note)
        {
            note.PatientId = patientId;
        }
    }

    /// <summary>Starts a note for the call about to be invoked in this flow (the silo's audit filter).</summary>
    public static AuditNote Begin()
    {
        var note = new AuditNote();
        CurrentNote.Value = note;
        return note;
    }
}
