using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Huddle.Web.Live;

/// <summary>
/// SignalR's JSON protocol, except that a hub call whose arguments do not bind (a missing required
/// field, an unknown enum value, a misspelt field, a wrong type or count) is answered like any other
/// bad input: the documented <c>validation_failed</c> result. SignalR answers those itself, before
/// any hub filter runs, with a generic "error on the server"; here the failed call becomes a call of
/// <see cref="HuddleHub.ArgumentsNotBound"/> naming the method and what did not bind.
/// </summary>
public sealed partial class UnboundArgumentsProtocol(JsonHubProtocol json, ILogger<UnboundArgumentsProtocol> logger) : IHubProtocol
{
    /// <summary>The hub's own methods (SignalR matches names case-insensitively): another hub's failures pass through unchanged.</summary>
    private static readonly HashSet<string> HubMethods = new(
        typeof(HuddleHub).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly).Where(m => !m.IsSpecialName).Select(m => m.Name),
        StringComparer.OrdinalIgnoreCase);

    private readonly JsonHubProtocol _json = json;

    public string Name => _json.Name;

    public int Version => _json.Version;

    public TransferFormat TransferFormat => _json.TransferFormat;

    public bool IsVersionSupported(int version) => _json.IsVersionSupported(version);

    public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder, [NotNullWhen(true)] out HubMessage? message)
    {
        if (!_json.TryParseMessage(ref input, binder, out message))
        {
            return false;
        }

        if (message is InvocationBindingFailureMessage failure && HubMethods.Contains(failure.Target))
        {
            LogUnbound(failure.Target);
            message = new InvocationMessage(failure.InvocationId, HuddleHub.UnboundMethod, [failure.Target, Http.ArgumentErrors.Describe(failure.BindingFailure.SourceException)]);
        }

        return true;
    }

    public void WriteMessage(HubMessage message, IBufferWriter<byte> output) => _json.WriteMessage(message, output);

    public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message) => _json.GetMessageBytes(message);

    // Only the method's name: what did not bind may quote the client's input.
    [LoggerMessage(Level = LogLevel.Information, Message = "Hub call {Method} refused: its arguments do not bind")]
    private partial void LogUnbound(string method);
}
