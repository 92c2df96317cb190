namespace Huddle.Web.Smart;

/// <summary>Why a launch failed, for the page the browser gets (no token, no secret, no patient data in it).</summary>
public sealed class SmartLaunchException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}
