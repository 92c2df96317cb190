using System.Collections.Immutable;

namespace Huddle.Contracts.Smart;

/// <summary>
/// One SMART App Launch in progress, from <c>/smart/launch</c> to <c>/smart/callback</c>: what the
/// callback needs to finish it and to know it is the same browser. Kept by <see cref="ISmartLaunchGrain"/>
/// under a hash of its <c>state</c>, taken once.
/// </summary>
/// <param name="Iss">The EHR tenant's FHIR base (the launch's <c>iss</c>), as configured.</param>
/// <param name="Launch">The EHR's opaque launch id.</param>
/// <param name="CodeVerifier">The PKCE verifier (RFC 7636): sent only to the EHR's token endpoint.</param>
/// <param name="Nonce">The OpenID Connect nonce the id token must carry back.</param>
/// <param name="BindingHash">SHA-256 (hex) of the value in the browser's launch cookie.</param>
/// <param name="RedirectUri">The redirect URI the authorize request named (the token request repeats it).</param>
/// <param name="ExpiresAt">After this the callback refuses it.</param>
/// <param name="FrameToken">
/// For a sign-in opened in a new window: the token (64 hex digits) the chart's frame that opened the
/// window made for this launch; the window hands the session to that frame with it, or null.
/// </param>
[GenerateSerializer, Immutable, Alias("huddle.smart-launch")]
public sealed record SmartLaunchRecord(
    [property: Id(0)] string Iss,
    [property: Id(1)] string Launch,
    [property: Id(2)] string CodeVerifier,
    [property: Id(3)] string Nonce,
    [property: Id(4)] string BindingHash,
    [property: Id(5)] string RedirectUri,
    [property: Id(6)] DateTimeOffset ExpiresAt,
    [property: Id(7)] string? FrameToken = null);

/// <summary>
/// A widget session: one SMART launch's outcome, the Huddle user and the one patient the EHR had open.
/// The EHR's tokens are not in it (they were used at the callback, on the server, and dropped).
/// </summary>
/// <param name="Iss">The EHR tenant it came from.</param>
/// <param name="UserId">The Huddle user the EHR user maps to.</param>
/// <param name="PatientId">The Huddle patient the EHR's patient maps to: fixed for the session.</param>
/// <param name="TeamIds">The patient's care teams the user is on, at launch (the widget's team choice).</param>
/// <param name="NeedPatientBanner">The EHR asked the app to show the patient (SMART <c>need_patient_banner</c>).</param>
/// <param name="Style">The EHR's colours (SMART <c>smart_style_url</c>), or null.</param>
/// <param name="StartedAt">When the launch completed.</param>
/// <param name="ExpiresAt">When the session ends (the EHR token's lifetime, capped by configuration).</param>
[GenerateSerializer, Immutable, Alias("huddle.widget-session")]
public sealed record WidgetSession(
    [property: Id(0)] string Iss,
    [property: Id(1)] string UserId,
    [property: Id(2)] string PatientId,
    [property: Id(3)] ImmutableArray<string> TeamIds,
    [property: Id(4)] bool NeedPatientBanner,
    [property: Id(5)] WidgetStyle? Style,
    [property: Id(6)] DateTimeOffset StartedAt,
    [property: Id(7)] DateTimeOffset ExpiresAt);

/// <summary>The few SMART style colours Huddle maps onto its theme (each a CSS colour, checked when read).</summary>
[GenerateSerializer, Immutable, Alias("huddle.widget-style")]
public sealed record WidgetStyle(
    [property: Id(0)] string? Background,
    [property: Id(1)] string? Text,
    [property: Id(2)] string? Highlight,
    [property: Id(3)] string? Error,
    [property: Id(4)] string? Success);

/// <summary>
/// A launch in progress (<see cref="SmartLaunchRecord"/>), keyed by the SHA-256 (hex) of its
/// <c>state</c>: single use and short-lived. In memory only: a launch lost with its silo is started
/// again from the EHR.
/// </summary>
public interface ISmartLaunchGrain : IGrainWithStringKey
{
    /// <summary>Keeps the record until it is taken or expires.</summary>
    Task SaveAsync(SmartLaunchRecord record);

    /// <summary>The record, once: null when unknown, already taken, or expired.</summary>
    Task<SmartLaunchRecord?> TakeAsync();
}

/// <summary>
/// A widget session (<see cref="WidgetSession"/>), keyed by the SHA-256 (hex) of the handle the
/// browser holds (so storage never holds a usable handle). Durable: a session outlives a restart.
/// </summary>
public interface IWidgetSessionGrain : IGrainWithStringKey
{
    /// <summary>Starts the session (once; a second start is refused with false).</summary>
    Task<bool> StartAsync(WidgetSession session);

    /// <summary>The session while it lasts; null when unknown, ended or expired.</summary>
    [AlwaysInterleave]
    Task<WidgetSession?> GetAsync();

    /// <summary>Ends the session at once (the widget's "End session").</summary>
    Task EndAsync();
}
