using Huddle.Contracts.Common;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Huddle.Contracts.Smart;
using Huddle.Contracts.Users;
using Huddle.Web.Auth;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Huddle.Web.Smart;

/// <summary>
/// The widget's sign-in: its Blazor circuit (<c>/_blazor</c>) sends the session's handle as a bearer
/// token (Blazor's SignalR connection's access token, from the page's fragment), which names a live
/// <see cref="IWidgetSessionGrain"/>. No cookie and no web storage is involved after the launch, so a
/// browser that blocks third-party cookies (or storage) inside the EHR's frame keeps the session.
/// The identity it makes is the mapped Huddle clinician with the session's patient fixed
/// (<see cref="PatientClaim"/>): the widget shows that patient only.
/// </summary>
public sealed class WidgetAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IGrainFactory grains)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "smart-widget";

    /// <summary>The handle's prefix: what tells a widget's bearer token from any other.</summary>
    public const string HandlePrefix = "hw_";

    /// <summary>The session's key (the handle's SHA-256): revalidation asks its grain again.</summary>
    public const string SessionClaim = "huddle_widget";

    /// <summary>The Huddle patient the session is fixed to.</summary>
    public const string PatientClaim = "huddle_widget_patient";

    /// <summary>True for a request that carries a widget handle as its bearer token.</summary>
    public static bool Carries(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer " + HandlePrefix, StringComparison.Ordinal);
    }

    /// <summary>The session of a widget identity, or null for any other user.</summary>
    public static string? SessionOf(ClaimsPrincipal user) => user?.FindFirst(SessionClaim)?.Value;

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Carries(Request))
        {
            return AuthenticateResult.NoResult();
        }

        var handle = Request.Headers.Authorization.ToString()["Bearer ".Length..];
        if (handle.Length is < 20 or > 80)
        {
            return AuthenticateResult.Fail("Not a widget handle.");
        }

        var key = SmartEndpoints.Hash(handle);
        if (await grains.Grain<IWidgetSessionGrain>(key).GetAsync() is not { } session)
        {
            return AuthenticateResult.Fail("The widget session has ended.");
        }

        if (await grains.Grain<IUserGrain>(session.UserId).GetAsync() is not { Kind: UserKind.Clinician } user)
        {
            return AuthenticateResult.Fail("The widget's clinician is no longer a Huddle clinician.");
        }

        var principal = HuddleClaims.Create(user.UserId, user.DisplayName, user.Kind.ToString(), SchemeName,
            [new Claim(SessionClaim, key), new Claim(PatientClaim, session.PatientId), new Claim(HuddleClaims.Provider, "smart")]);
        var properties = new AuthenticationProperties { ExpiresUtc = session.ExpiresAt };
        return AuthenticateResult.Success(new AuthenticationTicket(principal, properties, SchemeName));
    }
}
