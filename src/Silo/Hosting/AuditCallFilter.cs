using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Reflection;
using Huddle.Contracts.Audit;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Chat;
using Huddle.Contracts.Common;
using Huddle.Grains.Common;

namespace Huddle.Silo.Hosting;

/// <summary>
/// The audit trail's writer for grain calls (HIPAA 164.312(b)): every call into a Huddle grain that
/// is made on a person's behalf (a method taking <c>userId</c> or <c>actorId</c>) and that came in
/// through the web host (it carries <see cref="AuditVia"/>) is answered only once its
/// <see cref="AuditRecord"/> is stored in the day's log and, when the call is on a patient's data, that
/// patient's log; a check marked <see cref="NotAuditedAttribute"/> is recorded only when it refuses. A call whose record cannot be
/// stored fails (fail closed: nothing is read out unaudited; a change already made is answered by its
/// op id on the retry, which is audited then).
/// </summary>
/// <remarks>
/// In the silo rather than in each web entry point, so a hub method, an HTTP endpoint and an
/// interactive page are audited alike, by the same rule, with the outcome the grain itself answered.
/// Calls the audited grain makes in turn are its own doing: the mark is taken off before it runs.
/// </remarks>
internal sealed class AuditCallFilter(IGrainFactory grains, HuddleClock clock) : IIncomingGrainCallFilter
{
    private static readonly Assembly ContractsAssembly = typeof(ICareTeamGrain).Assembly;
    private static readonly ConcurrentDictionary<MethodInfo, int> UserArguments = new();
    private static readonly ConcurrentDictionary<MethodInfo, bool> Checks = new();
    private static readonly ConcurrentDictionary<Type, PropertyInfo?> PatientProperties = new();
    private static readonly ConcurrentDictionary<Type, PropertyInfo?> OpProperties = new();

    /// <summary>
    /// How long a call waits for its record to be stored before it fails instead: the grain's turn is
    /// held meanwhile, so a log out of reach (its silo just died, storage down) must not hold it for
    /// Orleans' whole response timeout (30 s).
    /// </summary>
    internal static readonly TimeSpan AppendTimeout = TimeSpan.FromSeconds(5);

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.Grain is not Grain
            || context.InterfaceMethod is not { } method
            || method.DeclaringType?.Assembly != ContractsAssembly
            || RequestContext.Get(AuditVia.Key) is not string via
            || UserArgument(method) is not (>= 0 and var userArgument))
        {
            await context.Invoke();
            return;
        }

        // A check left out of the trail (NotAudited) is still recorded when it refuses: every denial is.
        var deniedOnly = Checks.GetOrAdd(method, static m => m.GetCustomAttribute<NotAuditedAttribute>() is not null);
        if (!deniedOnly)
        {
            RequestContext.Remove(AuditVia.Key);
        }

        var note = AuditNote.Begin();
        AuditOutcome outcome;
        string? code;
        try
        {
            await context.Invoke();
            (outcome, code) = OutcomeOf(context.Result);
        }
        catch (Exception) when (!deniedOnly)
        {
            await RecordAsync(context, method, userArgument, via, note, AuditOutcome.Failed, ErrorCodes.Internal);
            throw;
        }

        if (!deniedOnly || outcome == AuditOutcome.Denied)
        {
            await RecordAsync(context, method, userArgument, via, note, outcome, code);
        }
    }

    /// <summary>The index of the method's user argument (<c>userId</c> or <c>actorId</c>), or -1 when it has none: such a call is on nobody's behalf.</summary>
    internal static int UserArgument(MethodInfo method) => UserArguments.GetOrAdd(method, static m =>
        Array.FindIndex(m.GetParameters(), p => p.ParameterType == typeof(string) && p.Name is "userId" or "actorId"));

    /// <summary>The audit's name of a method: <c>Thread.Send</c> for <c>IThreadGrain.SendAsync</c>.</summary>
    internal static string ActionOf(MethodInfo method)
    {
        var type = method.DeclaringType!.Name;
        type = type.StartsWith('I') ? type[1..] : type;
        type = type.EndsWith("Grain", StringComparison.Ordinal) ? type[..^"Grain".Length] : type;
        var name = method.Name.EndsWith("Async", StringComparison.Ordinal) ? method.Name[..^"Async".Length] : method.Name;
        return $"{type}.{name}";
    }

    private static (AuditOutcome, string?) OutcomeOf(object? result) => result is IResultError { Error: { } error }
        ? (error.Code switch
        {
            ErrorCodes.Forbidden or ErrorCodes.NotFound or ErrorCodes.Unauthorized => AuditOutcome.Denied,
            ErrorCodes.Unavailable or ErrorCodes.Internal => AuditOutcome.Failed,
            _ => AuditOutcome.Rejected,
        }, error.Code)
        : (AuditOutcome.Allowed, null);

    private async Task RecordAsync(IIncomingGrainCallContext context, MethodInfo method, int userArgument, string via, AuditNote note, AuditOutcome outcome, string? code)
    {
        var kind = context.TargetId.Type.ToString();
        var key = context.TargetId.Key.ToString()!;
        var (client, connection) = AuditVia.Parse(via);
        var record = new AuditRecord(
            clock.UtcNow,
            context.Request.GetArgument(userArgument) as string ?? "",
            ActionOf(method),
            kind,
            key,
            note.PatientId ?? PatientOf(context, kind, key),
            outcome,
            code,
            client,
            connection,
            note.RefId ?? OpOf(context));
        var stored = AuditStore.AppendAsync(grains, record);
        try
        {
            await stored.WaitAsync(AppendTimeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"The audit record of {record.Action} was not stored within {AppendTimeout.TotalSeconds:0} s: the call is refused (fail closed).");
        }
    }

    /// <summary>
    /// The operation a command argument names (a board's <c>moveCard</c>, a handoff's <c>accept</c>, a
    /// registry's <c>recordMeasurement</c>: their public <c>Op</c>), so the record says which change it was.
    /// </summary>
    private static string? OpOf(IIncomingGrainCallContext context) => ArgumentText(context, OpProperties, "Op");

    /// <summary>The patient a call is on, from its target or arguments: a patient's grain, a patient's thread, a command naming one.</summary>
    private static string? PatientOf(IIncomingGrainCallContext context, string kind, string key)
    {
        if (kind is "patient" or "emergencyaccess")
        {
            return key;
        }

        if (kind == "thread" && ThreadIds.Parse(key) is (ThreadKind.Patient, { } subject))
        {
            return subject;
        }

        return ArgumentText(context, PatientProperties, "PatientId");
    }

    /// <summary>The first argument's string property <paramref name="name"/> that has a value (the property looked up once per type, in <paramref name="properties"/>).</summary>
    private static string? ArgumentText(IIncomingGrainCallContext context, ConcurrentDictionary<Type, PropertyInfo?> properties, string name)
    {
        for (var i = 0; i < context.Request.GetArgumentCount(); i++)
        {
            if (context.Request.GetArgument(i) is { } argument && argument is not string
                && properties.GetOrAdd(argument.GetType(), static (t, n) => t.GetProperty(n, typeof(string)), name) is { } property
                && property.GetValue(argument) is string text)
            {
                return text;
            }
        }

        return null;
    }
}
